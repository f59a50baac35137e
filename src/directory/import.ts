// The directory import: reads a school CSV as a stream, stages its valid rows, then applies each school's snapshot
// in its own transaction. A file that cannot be read changes nothing; a bad row is reported and the rest applied.
// Usable from the admin API, the tests and the benchmark alike: `importDirectory(db, stream, options)`.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { sql } from 'kysely';
import type { IdentifierStyle } from '../accounts/identifiants.js';
import type { Db } from '../store/database.js';
import { applySchool } from './apply-school.js';
import { checkRow, readHeader, type Column, type DirectoryRow } from './csv-rows.js';
import { DirectoryFileError, readCsvRecords } from './csv-source.js';
import { emptyCounts, MAX_LISTED_PROBLEMS, summarise, type ImportSummary } from './import-summary.js';
import { repeatOf, repeatSummary } from './import-repeat.js';
import { spoolInput } from './input-spool.js';
import { beginImportTransaction } from './import-transaction.js';
import { directoryGeneration, schoolFingerprints, storeFingerprint, unchangedSchools } from './school-fingerprints.js';
import { assignGuardians, dropStaging, groupGuardians, stageRows, type SchoolHashes } from './staging.js';

export { DirectoryFileError } from './csv-source.js';
export type { ImportSummary } from './import-summary.js';

export type ImportProgress =
  | { phase: 'read'; rows: number }
  | { phase: 'apply'; uai: string; done: number; total: number };

export interface ImportOptions {
  identifierStyle: IdentifierStyle;
  /**
   * Called every few thousand rows read, then once per school, after that school's changes are written and
   * before they are committed (throwing there abandons that school's changes and stops the import).
   */
  onProgress?: (progress: ImportProgress) => void | Promise<void>;
  /** Rows staged per statement. */
  batchSize?: number;
  /** Today's date (YYYY-MM-DD), for birth dates in the future; defaults to the real today. */
  today?: string;
}

// Staging rows of an import that died are removed by the next import after this long.
const ABANDONED_AFTER = '1 day';

export async function importDirectory(db: Db, input: AsyncIterable<Buffer | Uint8Array | string>, options: ImportOptions): Promise<ImportSummary> {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  // Read before anything else: a change made outside the import from now on invalidates what this import vouches for.
  const generation = await directoryGeneration(db);
  const spool = await spoolInput(input);
  try {
    const repeat = await repeatSummary(db, spool.fingerprint, generation, today);
    if (repeat) {
      await db.insertInto('directory_imports').values({
        id: randomUUID(), finished_at: new Date(), summary: JSON.stringify(repeat), fingerprint: spool.fingerprint, generation,
        repeat_summary: JSON.stringify({ summary: repeat, today }),
      }).execute();
      await options.onProgress?.({ phase: 'read', rows: repeat.rows });
      return repeat;
    }
    return await importFile(db, createReadStream(spool.path), spool.fingerprint, generation, today, options);
  } finally {
    await spool.remove();
  }
}

async function importFile(
  db: Db, input: AsyncIterable<Buffer | Uint8Array | string>, fingerprint: string, generation: number, today: string, options: ImportOptions,
): Promise<ImportSummary> {
  const importId = randomUUID();
  const batchSize = options.batchSize ?? 2000;
  const counts = emptyCounts();
  const hashes: SchoolHashes = new Map();
  let truncated = false;

  await sql`
    delete from directory_import_rows where import_id in (
      select id from directory_imports where finished_at is null and started_at < now() - ${ABANDONED_AFTER}::interval)`.execute(db);
  await db.insertInto('directory_imports').values({ id: importId }).execute();
  // One batch is written while the next is parsed (two cores: Node checks rows while the database stores them);
  // at most two batches are held in memory.
  let staging: Promise<void> = Promise.resolve();
  const stage = async (rows: DirectoryRow[]) => {
    await staging;
    staging = stageRows(db, importId, rows, hashes);
    staging.catch(() => {}); // seen by the next `await staging`; this only keeps a parse error from hiding it
  };
  try {
    let header: Map<Column, number> | undefined;
    let batch: DirectoryRow[] = [];
    for await (const record of readCsvRecords(input)) {
      if (!header) {
        header = readHeader(record.fields);
        continue;
      }
      counts.rows += 1;
      const { row, problems } = checkRow(record.line, record.fields, header, today);
      if (problems.length) {
        counts.rejectedRows += 1;
        for (const p of problems) {
          if (counts.problems.length < MAX_LISTED_PROBLEMS) counts.problems.push(p);
          else truncated = true;
        }
      }
      if (row) batch.push(row);
      if (batch.length >= batchSize) {
        await stage(batch);
        batch = [];
      }
      if (counts.rows % 5000 === 0) await options.onProgress?.({ phase: 'read', rows: counts.rows });
    }
    if (!header) throw new DirectoryFileError('Le fichier est vide.');
    await stage(batch);
    await staging;
    await options.onProgress?.({ phase: 'read', rows: counts.rows });

    // Fresh statistics, or the planner takes the freshly filled table for empty and loops over it. Only of the
    // columns the statements filter, join or group on that the reading filled (the grouping's own columns are
    // still empty here): the others' (names, dates) would cost as much again.
    await sql`analyze directory_import_rows (import_id, line, uai, local_id, resp_name_key, resp_mobile, resp_email)`.execute(db);
    await db.transaction().execute(async (trx) => {
      // Sorts and hashes over the whole file: in memory rather than in temporary files (the default is 4 MB).
      await beginImportTransaction(trx, { lock: false, workMem: '64MB' });
      await groupGuardians(trx, importId);
      await assignGuardians(trx, importId);
    });
    const schools = (await sql<{ uai: string }>`
      select distinct uai from directory_import_rows where import_id = ${importId} order by uai`.execute(db)).rows.map((r) => r.uai);
    counts.schools = schools.length;
    const fingerprints = await schoolFingerprints(db, importId, hashes);
    const unchanged = await unchangedSchools(db, importId, fingerprints, generation);
    for (const [i, uai] of schools.entries()) {
      if (unchanged.has(uai)) {
        // What its snapshot would have counted: every listed pupil and link unchanged.
        counts.pupils.unchanged += fingerprints.get(uai)!.pupils;
        counts.links.unchanged += fingerprints.get(uai)!.links;
        await options.onProgress?.({ phase: 'apply', uai, done: i + 1, total: schools.length });
        continue;
      }
      await db.transaction().execute(async (trx) => {
        await beginImportTransaction(trx, { lock: true });
        await applySchool(trx, importId, uai, options.identifierStyle, counts);
        await storeFingerprint(trx, uai, fingerprints.get(uai)!.fingerprint, generation);
        await options.onProgress?.({ phase: 'apply', uai, done: i + 1, total: schools.length });
      });
    }
    const guardiansInFile = await sql<{ n: number }>`
      select count(distinct guardian_id)::int as n from directory_import_rows where import_id = ${importId} and not guardian_new`.execute(db);
    const summary = summarise(counts, guardiansInFile.rows[0]?.n ?? 0, truncated);
    const repeat = await repeatOf(db, importId, counts, today);
    // Committed synchronously (the server's default), unlike the schools' (import-transaction.ts): once this returns,
    // the WAL is on disk up to here, every school's commit included.
    await db.updateTable('directory_imports')
      .set({
        finished_at: new Date(), summary: JSON.stringify({ ...summary, rejected: summary.rejected.slice(0, 100) }),
        ...(repeat ? { fingerprint, generation, repeat_summary: JSON.stringify(repeat) } : {}),
      })
      .where('id', '=', importId).execute();
    return summary;
  } finally {
    await staging.catch(() => {});
    await dropStaging(db, importId);
  }
}
