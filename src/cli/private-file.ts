// Writes files that hold secrets (the letters' provisional passwords): a new file readable by its owner only,
// renamed over the target, so that an existing file's looser mode (or a reader holding it open) never sees them.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './cli-error.js';

/** Fails early, before anything is asked of the server, when FILE's folder cannot take a new file. */
export async function assertWritableFolder(file: string): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  try {
    await access(folder, constants.W_OK | constants.X_OK);
  } catch {
    throw new CliError(`cannot write in ${folder}`);
  }
}

/** Writes DATA to FILE with mode 0600 whatever FILE was before: a fresh temporary file beside it, then a rename. */
export async function writePrivateFile(file: string, data: Buffer): Promise<void> {
  const target = path.resolve(file);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': a new file only (never one planted in advance); the mode applies because the file is created here.
  let handle;
  try {
    handle = await open(temporary, 'wx', 0o600);
    await handle.writeFile(data);
    // The umask cannot widen 0600, but a chmod makes the intent independent of it.
    await handle.chmod(0o600);
    await handle.sync();
    await handle.close();
    await rename(temporary, target);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    if (handle) await rm(temporary, { force: true });
    throw new CliError(`cannot write ${file} (${(err as Error).message})`);
  }
}
