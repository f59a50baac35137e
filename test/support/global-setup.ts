// Gives the run an id; each test file makes its own PostgreSQL database (and Redis prefix) named after it. And a
// temporary folder of its own: every worker, server, command-line child and browser of the run inherits it as TMPDIR,
// so whatever a test leaves there (a data folder, a spooled upload, a browser profile) goes with the run's teardown.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export default async function globalSetup(): Promise<void> {
  process.env.SESAME_TEST_RUN = `sesame_t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  // Set before Jest starts its workers, which inherit this environment (os.tmpdir() reads TMPDIR). Made in the
  // machine's own temporary folder, kept aside: `jest --watch` runs this again in the same process, after a
  // teardown that removed the previous run's folder.
  process.env.SESAME_TEST_BASE_TMPDIR ??= os.tmpdir();
  const folder = await mkdtemp(path.join(process.env.SESAME_TEST_BASE_TMPDIR, `${process.env.SESAME_TEST_RUN}-tmp-`));
  process.env.SESAME_TEST_TMPDIR = folder;
  process.env.TMPDIR = folder;
}
