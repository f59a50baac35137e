// How each transaction of an import begins: its settings and its lock, in one round trip (a school's snapshot is a
// transaction of its own, 625 of them in a file of 1 000 000 rows).
import { sql } from 'kysely';
import type { Db } from '../store/database.js';

/**
 * Settings local to the caller's transaction, and (`lock`) the import's lock:
 * - `sesame.directory_import`: its writes are the import's, not external changes (school-fingerprints.ts);
 * - `jit` off: its statements touch a school's few thousand rows; when the planner overestimates one (tables grow
 *   during an import, ahead of their statistics), compiling it to machine code costs more than running it;
 * - `synchronous_commit` off: the commit does not wait for the WAL to reach the disk (on a busy disk, a wait per
 *   school). Safe here: a transaction stays all or nothing; a server crash can only lose the last commits, i.e.
 *   schools the next import of the file applies again (a school's fingerprint is committed with its snapshot, so a
 *   lost school is not skipped). And none is lost once the import answers: its record (`directory_imports`) is
 *   then committed synchronously, which flushes the WAL up to there, every school's commit included.
 * - the lock: one import applies at a time (guardians are shared between schools, and two imports must not both
 *   create one).
 */
export async function beginImportTransaction(trx: Db, options: { lock: boolean; workMem?: string }): Promise<void> {
  await sql`
    select set_config('sesame.directory_import', 'on', true), set_config('jit', 'off', true),
      set_config('synchronous_commit', 'off', true)
      ${options.workMem ? sql`, set_config('work_mem', ${options.workMem}, true)` : sql``}
      ${options.lock ? sql`, pg_advisory_xact_lock(hashtext('directory-import'))` : sql``}`.execute(trx);
}
