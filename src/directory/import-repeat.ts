// A file identical, byte for byte, to the last one imported is not read again when importing it again is known to
// change nothing (docs/directory-format.md «Speed»): the answer is the summary such a repeat reports.
//
// Importing a file F a second time writes nothing when, after the first import of F:
// - F had no refused row (no link kept because a row was unreadable, no birth date that was in the future — a date
//   accepted once stays accepted on a later day, which is why the day is kept and a repeat must not be earlier);
// - every guardian row has a name key (a nameless guardian matches nothing and is created anew each time);
// - no pupil has two guardian rows with one name key that went to two guardians (the second import would find both
//   through the pupil's links and could give both rows one of them);
// - every school was applied (the import finished), no import started since, and nothing but imports wrote the
//   directory since it started.
// Then the second import groups the same rows, finds each group's guardian through its pupils' links, and every
// school's snapshot matches the database: each step writes nothing.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { emptyCounts, summarise, type ImportCounts, type ImportSummary } from './import-summary.js';

interface StoredRepeat {
  summary: ImportSummary;
  today: string;
}

/** The summary of importing this file again, or null when it has to be read. */
export async function repeatSummary(db: Db, fingerprint: string, generation: number, today: string): Promise<ImportSummary | null> {
  const last = await sql<{ fingerprint: string | null; generation: string | null; repeat_summary: StoredRepeat | null; finished: boolean }>`
    select fingerprint, generation::text as generation, repeat_summary, finished_at is not null as finished
    from directory_imports order by started_at desc limit 1`.execute(db);
  const row = last.rows[0];
  // The last import started, not the last finished: one that died after applying some schools changed them.
  if (!row?.finished || !row.repeat_summary || row.fingerprint !== fingerprint || Number(row.generation) !== generation) return null;
  if (today < row.repeat_summary.today) return null;
  return row.repeat_summary.summary;
}

/** After an import that finished: what importing the same file again reports, if it is known to change nothing. */
export async function repeatOf(db: Db, importId: string, counts: ImportCounts, today: string): Promise<StoredRepeat | null> {
  if (counts.rejectedRows > 0) return null;
  const checks = await sql<{ nameless: boolean; ambiguous: boolean; guardians: number }>`
    select
      exists (select 1 from directory_import_rows where import_id = ${importId} and group_line is not null and resp_name_key = '') as nameless,
      exists (
        select 1 from directory_import_rows where import_id = ${importId} and guardian_id is not null
        group by uai, local_id, resp_name_key having min(guardian_id::text) <> max(guardian_id::text)
      ) as ambiguous,
      (select count(distinct guardian_id)::int from directory_import_rows where import_id = ${importId}) as guardians`.execute(db);
  const check = checks.rows[0]!;
  if (check.nameless || check.ambiguous) return null;
  const again = emptyCounts();
  again.rows = counts.rows;
  again.schools = counts.schools;
  again.pupils.unchanged = counts.pupils.added + counts.pupils.updated + counts.pupils.unchanged;
  again.links.unchanged = counts.links.added + counts.links.updated + counts.links.unchanged;
  return { summary: summarise(again, check.guardians, false), today };
}
