// The import's staging area: valid rows are streamed into `directory_import_rows` in batches, so the whole file is
// read (and may still be refused) before anything is applied, and each school's snapshot can be taken from SQL.
// Also groups the rows that describe one guardian (same names and mobile, or same names and email, transitively).
import { createHash, type Hash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { orderedUuidSql } from '../store/ordered-uuids.js';
import type { DirectoryRow } from './csv-rows.js';

/** One running hash per school of its staged rows' content, in file order (the fingerprint, without line numbers). */
export type SchoolHashes = Map<string, Hash>;

export async function stageRows(db: Db, importId: string, rows: DirectoryRow[], hashes?: SchoolHashes): Promise<void> {
  if (rows.length === 0) return;
  const g = (r: DirectoryRow) => (r.pupil && typeof r.guardian === 'object' ? r.guardian : null);
  // A row whose pupil part is bad only protects that pupil: its guardian part is not applied either.
  const guardianState = (r: DirectoryRow) => (!r.pupil ? 'rejected' : typeof r.guardian === 'object' ? 'ok' : r.guardian);
  // One JSON document per batch: serialised natively by V8 and read by PostgreSQL in C, where a parameter per
  // column means escaping every value into array literals in JavaScript (the costliest part of reading a file).
  // Each row's content is serialised once, hashed into its school's fingerprint, and prefixed with its line.
  const parts = rows.map((r) => {
    const guardian = g(r);
    const content = JSON.stringify({
      uai: r.uai, school_name: r.schoolName, local_id: r.localId, pupil_ok: r.pupil !== null,
      ine: r.pupil?.ine ?? null, family_name: r.pupil?.familyName ?? null, given_names: r.pupil?.givenNames ?? null,
      birthdate: r.pupil?.birthdate ?? null, level: r.pupil?.level ?? null, class_name: r.pupil?.className ?? null,
      guardian_state: guardianState(r), civilite: guardian?.civilite ?? null, resp_family_name: guardian?.familyName ?? null,
      resp_given_name: guardian?.givenName ?? null, resp_name_key: guardian?.nameKey ?? null, resp_mobile: guardian?.mobile ?? null,
      resp_email: guardian?.email ?? null, relation: guardian?.relation ?? null, legal: guardian?.legal ?? null,
    });
    if (hashes) {
      let hash = hashes.get(r.uai);
      if (!hash) hashes.set(r.uai, (hash = createHash('sha256')));
      hash.update(content).update('\n');
    }
    return `{"line":${r.line},"group_line":${guardian ? r.line : 'null'},${content.slice(1)}`;
  });
  await sql`
    insert into directory_import_rows (import_id, line, uai, school_name, local_id, pupil_ok, ine, family_name,
      given_names, birthdate, level, class_name, guardian_state, civilite, resp_family_name, resp_given_name,
      resp_name_key, resp_mobile, resp_email, relation, legal, group_line)
    select ${importId}::uuid, t.line, t.uai, t.school_name, t.local_id, t.pupil_ok, t.ine, t.family_name, t.given_names,
      t.birthdate, t.level, t.class_name, t.guardian_state, t.civilite, t.resp_family_name, t.resp_given_name,
      t.resp_name_key, t.resp_mobile, t.resp_email, t.relation, t.legal, t.group_line
    from json_to_recordset(${`[${parts.join(',')}]`}::json) as t(
      line int, uai text, school_name text, local_id text, pupil_ok boolean, ine text, family_name text,
      given_names text, birthdate date, level text, class_name text, guardian_state text, civilite text,
      resp_family_name text, resp_given_name text, resp_name_key text, resp_mobile text, resp_email text,
      relation text, legal boolean, group_line int)`.execute(db);
}

/**
 * Gives every row of one guardian the same `group_line` (the smallest line among them): rows are joined when they
 * share names and mobile, or names and email, and the joins are followed until nothing moves (usually 2 rounds).
 * A row without a name key (name-key.ts: no letter) joins nothing: it stays a guardian of its own.
 */
export async function groupGuardians(db: Db, importId: string): Promise<void> {
  for (let round = 0; round < 50; round += 1) {
    const result = await sql`
      with g as (
        select line, least(
          case when resp_mobile is null or resp_name_key = '' then group_line else min(group_line) over (partition by resp_name_key, resp_mobile) end,
          case when resp_email is null or resp_name_key = '' then group_line else min(group_line) over (partition by resp_name_key, resp_email) end
        ) as smallest
        from directory_import_rows where import_id = ${importId} and group_line is not null
      )
      update directory_import_rows r set group_line = g.smallest from g
      where r.import_id = ${importId} and r.line = g.line and g.smallest < r.group_line`.execute(db);
    if (!result.numAffectedRows) return;
  }
}

/**
 * Decides the guardian of each group of rows, for the whole file in one statement: an existing guardian found first
 * through a pupil it is already linked to (so that a changed mobile updates the guardian instead of creating another
 * one), then by names and mobile, then by names and email; groups left without one get a new id (`guardian_new`),
 * created by the first school applied that mentions them. Also marks each guardian's last row in the file
 * (`guardian_last`, and on every row its line: `guardian_last_line`), the one that gives the guardian's data.
 */
export async function assignGuardians(db: Db, importId: string): Promise<void> {
  await sql`
    with members as (
      select line, group_line, uai, local_id, resp_name_key, resp_mobile, resp_email
      from directory_import_rows where import_id = ${importId} and group_line is not null
    ), keyed as (
      -- Only rows with a name key may meet an existing guardian: an empty key matches nothing.
      select * from members where resp_name_key <> ''
    ), by_pupil as (
      select distinct on (m.group_line) m.group_line, g.id from keyed m
        join pupils p on p.uai = m.uai and p.local_id = m.local_id
        join pupil_guardians pg on pg.pupil_id = p.id
        join guardians g on g.id = pg.guardian_id and g.name_key = m.resp_name_key
      order by m.group_line, g.id
    ), by_mobile as (
      -- Each way is only tried for the groups the previous ones left without a guardian.
      select distinct on (m.group_line) m.group_line, g.id from keyed m
        join guardians g on g.name_key = m.resp_name_key and g.mobile = m.resp_mobile
      where not exists (select 1 from by_pupil b where b.group_line = m.group_line)
      order by m.group_line, g.id
    ), by_email as (
      select distinct on (m.group_line) m.group_line, g.id from keyed m
        join guardians g on g.name_key = m.resp_name_key and lower(g.email) = m.resp_email
      where not exists (select 1 from by_pupil b where b.group_line = m.group_line)
        and not exists (select 1 from by_mobile b where b.group_line = m.group_line)
      order by m.group_line, g.id
    ), chosen as (
      select * from by_pupil union all select * from by_mobile union all select * from by_email
    ), fresh as materialized (
      -- Ordered ids (ordered-uuids.ts), in file order: the schools insert their new guardians about in that order.
      select group_line, ${orderedUuidSql(sql`row_number() over (order by group_line) - 1`, sql`(extract(epoch from statement_timestamp()) * 1000)::bigint`)} as id
      from (select distinct group_line from members) as d
    ), assigned as (
      select m.line, coalesce(c.id, f.id) as guardian_id, c.id is null as guardian_new
      from members m join fresh f on f.group_line = m.group_line left join chosen c on c.group_line = m.group_line
    ), ranked as (
      select line, guardian_id, guardian_new, max(line) over (partition by guardian_id) as last_line from assigned
    )
    update directory_import_rows r set guardian_id = ranked.guardian_id, guardian_new = ranked.guardian_new,
      guardian_last = ranked.line = ranked.last_line, guardian_last_line = ranked.last_line
    from ranked where r.import_id = ${importId} and r.line = ranked.line`.execute(db);
}

export async function dropStaging(db: Db, importId: string): Promise<void> {
  await db.deleteFrom('directory_import_rows').where('import_id', '=', importId).execute();
}
