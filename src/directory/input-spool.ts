// Copies an uploaded directory file to a private temporary file while hashing its bytes, so that a file identical to
// the last one imported can be recognised before a single row is parsed (docs/directory-format.md «Speed»), and read
// again from disk otherwise. Memory stays flat: chunks pass through, the file lives on disk until `remove`.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface Spool {
  path: string;
  /** sha256 of the file's bytes, hex. */
  fingerprint: string;
  remove(): Promise<void>;
}

export interface SpoolOptions {
  /** Where spool folders go (the system's temporary folder by default). */
  parent?: string;
  /** The clock, for telling a leftover's age. */
  now?: () => number;
}

// The folder names the process that made it, so that a later import can tell a leftover from a running import's.
const PREFIX = 'sesame-import-';
const LEFTOVER = new RegExp(`^${PREFIX}(\\d+)-`);
const HOUR = 3_600_000;

export async function spoolInput(input: AsyncIterable<Buffer | Uint8Array | string>, options: SpoolOptions = {}): Promise<Spool> {
  const parent = options.parent ?? tmpdir();
  await removeLeftovers(parent, (options.now ?? Date.now)());
  const dir = await mkdtemp(join(parent, `${PREFIX}${process.pid}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'directory.csv');
  const hash = createHash('sha256');
  try {
    await pipeline(
      input,
      async function* (source: AsyncIterable<Buffer | Uint8Array | string>) {
        for await (const chunk of source) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          hash.update(bytes);
          yield bytes;
        }
      },
      // Readable by this process's user only: the file holds names, mobiles and emails.
      createWriteStream(path, { mode: 0o600 }),
    );
  } catch (err) {
    await remove();
    throw err;
  }
  return { path, fingerprint: hash.digest('hex'), remove };
}

/**
 * An import killed outright (SIGKILL, the machine's memory killer) never removes its copy, which holds the families'
 * names, mobiles and emails: the next import does. A folder is a leftover when the process that made it is gone and
 * it is over an hour old (a process id seen from another container sharing the folder may look gone), or when it is
 * over a day old whatever its process (ids are reused; no import runs for a day).
 */
async function removeLeftovers(parent: string, now: number): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(LEFTOVER.exec(name)?.[1]);
    if (!pid) continue;
    const folder = join(parent, name);
    const age = now - ((await stat(folder).catch(() => undefined))?.mtimeMs ?? now);
    // Our own pid may be a previous life's (a container restarted after the memory killer: pid 1 again, same /tmp);
    // a day is the rule for it too, and a younger one may be an import of ours under way.
    const gone = pid !== process.pid && !running(pid);
    if (age > 24 * HOUR || (age > HOUR && gone)) await rm(folder, { recursive: true, force: true }).catch(() => {});
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
