// Skipping the schools an import already applied (docs/directory-format.md «Speed»). A school is skipped when all of
// these hold, which together mean its snapshot would write nothing:
// - its staged rows (content and order, after checking: a birth date refused yesterday and accepted today differs)
//   hash to the fingerprint stored when it was last applied, and each row was given the same guardian as then
//   (guardians are decided for the whole file, so a row shared with a changed school may get another one);
// - nothing but the import wrote schools, pupils, guardians or links since the import that stored it started (the
//   `directory_generation` counter, bumped by triggers outside imports: account merges, operators, scripts);
// - it creates no guardian, and every guardian whose last row of the file is in this school already holds that row's
//   data (another school may have written it since, from its own row).
// Its pupils and links are only written by its own snapshots, which the fingerprint and counter vouch for.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { SchoolHashes } from './staging.js';

/** External changes to the directory counted so far (migration 0015). */
export async function directoryGeneration(db: Db): Promise<number> {
  const row = await sql<{ n: string }>`select n::text as n from directory_generation where id = 1`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

export interface SchoolFingerprint {
  fingerprint: string;
  /** What the school's snapshot counts when it changes nothing: its listed pupils and their links. */
  pupils: number;
  links: number;
}

/**
 * Each school's fingerprint: its rows' content (hashed while staging) and the guardian each row was given; with the
 * counts a skipped school reports, taken in the same pass over the rows.
 */
export async function schoolFingerprints(db: Db, importId: string, hashes: SchoolHashes): Promise<Map<string, SchoolFingerprint>> {
  const rows = await sql<{ uai: string; g: string; pupils: number; links: number }>`
    select uai, md5(string_agg(coalesce(guardian_id::text, '-'), ',' order by line)) as g,
      count(distinct local_id) filter (where pupil_ok)::int as pupils,
      count(distinct (local_id, guardian_id)) filter (where pupil_ok and guardian_state = 'ok' and guardian_id is not null)::int as links
    from directory_import_rows where import_id = ${importId} group by uai`.execute(db);
  return new Map(rows.rows.map((r) => [r.uai, { fingerprint: `${hashes.get(r.uai)?.digest('hex') ?? ''}.${r.g}`, pupils: r.pupils, links: r.links }]));
}

/** The schools of this import whose snapshot would change nothing (see the top of this file). */
export async function unchangedSchools(db: Db, importId: string, fingerprints: Map<string, SchoolFingerprint>, generation: number): Promise<Set<string>> {
  const uais = [...fingerprints.keys()];
  const same = await sql<{ uai: string }>`
    select s.uai from unnest(${uais}::text[], ${uais.map((u) => fingerprints.get(u)!.fingerprint)}::text[]) as f(uai, fingerprint)
    join directory_school_fingerprints s on s.uai = f.uai and s.fingerprint = f.fingerprint
    where s.generation = ${generation}`.execute(db);
  if (same.rows.length === 0) return new Set();
  // Schools with a guardian to create, or whose row is a guardian's last one and differs from that guardian: one pass
  // over the file's rows (a probe per school let the planner rescan them for each).
  const busy = await sql<{ uai: string }>`
    select distinct uai from directory_import_rows where import_id = ${importId} and guardian_new
    union
    select distinct r.uai from directory_import_rows r join guardians g on g.id = r.guardian_id
    where r.import_id = ${importId} and r.guardian_last and not r.guardian_new
      and (g.civilite, g.family_name, g.given_name, g.name_key, g.mobile, g.email)
        is distinct from (r.civilite, r.resp_family_name, r.resp_given_name, r.resp_name_key, r.resp_mobile, r.resp_email)`.execute(db);
  const skip = new Set(same.rows.map((r) => r.uai));
  for (const r of busy.rows) skip.delete(r.uai);
  return skip;
}

/** Records a school's fingerprint in the transaction that applied its snapshot. */
export async function storeFingerprint(trx: Db, uai: string, fingerprint: string, generation: number): Promise<void> {
  await sql`
    insert into directory_school_fingerprints (uai, fingerprint, generation) values (${uai}, ${fingerprint}, ${generation})
    on conflict (uai) do update set fingerprint = excluded.fingerprint, generation = excluded.generation`.execute(trx);
}
