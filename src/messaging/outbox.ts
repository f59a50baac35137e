// The development outbox: instead of sending, each SMS or mail is appended as one JSON line to DATA_DIR/outbox.jsonl,
// where a developer (or a test) reads it, and /dev/outbox shows it. Never used in production (config refuses it).
// The file holds codes and links that open accounts: it is readable by its owner only (0600).
import { randomUUID } from 'node:crypto';
import { appendFile, chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isE164, SmsError, type SmsSender } from './sms-sender.js';

export type OutboxEntry =
  | { channel: 'sms'; to: string; body: string; at: string }
  | { channel: 'mail'; to: string; subject: string; text: string; at: string };

/** An entry as given to `append`; `at` is added. */
export type OutboxInput =
  | { channel: 'sms'; to: string; body: string }
  | { channel: 'mail'; to: string; subject: string; text: string };

export interface Outbox {
  readonly file: string;
  append(entry: OutboxInput): Promise<OutboxEntry>;
  /** Newest first; lines that are not valid entries are skipped. */
  list(limit?: number): Promise<OutboxEntry[]>;
}

export const OUTBOX_FILE = 'outbox.jsonl';

function isEntry(value: unknown): value is OutboxEntry {
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object' || typeof v.to !== 'string' || typeof v.at !== 'string') return false;
  if (v.channel === 'sms') return typeof v.body === 'string';
  if (v.channel === 'mail') return typeof v.subject === 'string' && typeof v.text === 'string';
  return false;
}

/** Makes the folder, and tightens an outbox left by an earlier version (created world-readable). */
async function prepare(dataDir: string, file: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  try {
    await chmod(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export function createOutbox(dataDir: string): Outbox {
  const file = path.join(dataDir, OUTBOX_FILE);
  let ready: Promise<unknown> | undefined;
  return {
    file,
    async append(input) {
      ready ??= prepare(dataDir, file).catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      await ready;
      const entry = { ...input, at: new Date().toISOString() } as OutboxEntry;
      // One write of one whole line in append mode: concurrent senders (or processes) never interleave lines.
      // JSON.stringify escapes newlines inside the body, so a line is always one entry.
      await appendFile(file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', flag: 'a', mode: 0o600 });
      return entry;
    },
    async list(limit = 200) {
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const entries: OutboxEntry[] = [];
      const lines = content.split('\n');
      for (let i = lines.length - 1; i >= 0 && entries.length < limit; i -= 1) {
        const line = lines[i]!.trim();
        if (!line) continue;
        try {
          const parsed: unknown = JSON.parse(line);
          if (isEntry(parsed)) entries.push(parsed);
        } catch {
          // A hand-edited or truncated line: skip it, the rest of the outbox is still useful.
        }
      }
      return entries;
    },
  };
}

/** The outbox as an SmsSender. It refuses what Twilio would refuse as malformed, so development sees the same kind. */
export function createOutboxSmsSender(outbox: Outbox): SmsSender {
  return {
    async send({ to, body }) {
      if (!isE164(to)) throw new SmsError('invalid_number', 'outbox: not an E.164 number');
      await outbox.append({ channel: 'sms', to, body });
      return { id: `outbox-${randomUUID()}` };
    },
  };
}
