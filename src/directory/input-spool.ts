// Copies an uploaded directory file to a private temporary file while hashing its bytes, so that a file identical to
// the last one imported can be recognised before a single row is parsed (docs/directory-format.md «Speed»), and read
// again from disk otherwise. Memory stays flat: chunks pass through, the file lives on disk until `remove`.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface Spool {
  path: string;
  /** sha256 of the file's bytes, hex. */
  fingerprint: string;
  remove(): Promise<void>;
}

export async function spoolInput(input: AsyncIterable<Buffer | Uint8Array | string>): Promise<Spool> {
  const dir = await mkdtemp(join(tmpdir(), 'sesame-import-'));
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
