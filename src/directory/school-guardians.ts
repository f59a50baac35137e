// The guardians of one school's snapshot: created for groups of rows no existing guardian matched (one guardian per
// person across schools), and existing ones brought up to date from their latest row in the file.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { IdentifierStyle } from '../accounts/identifiants.js';
import type { Db } from '../store/database.js';
import { createDirectoryAccounts } from './bulk-accounts.js';
import type { ImportCounts } from './import-summary.js';

/** Creates the guardians (and accounts) of groups of rows no existing guardian matched, from each group's latest row. */
export async function createGuardians(trx: Db, importId: string, groups: number[], style: IdentifierStyle, counts: ImportCounts): Promise<void> {
  if (groups.length === 0) return;
  const people = (await sql<{ group_line: number; civilite: string | null; family: string; given: string; name_key: string; mobile: string | null; email: string | null }>`
    select distinct on (group_line) group_line, civilite, resp_family_name as family, resp_given_name as given,
      resp_name_key as name_key, resp_mobile as mobile, resp_email as email
    from directory_import_rows where import_id = ${importId} and group_line = any(${groups}::int[])
    order by group_line, line desc`.execute(trx)).rows;
  const accountIds = await createDirectoryAccounts(
    trx,
    people.map((p) => ({ kind: 'responsable' as const, givenName: p.given, familyName: p.family, email: p.email, mobile: p.mobile })),
    style,
  );
  const ids = people.map(() => randomUUID());
  await sql`
    insert into guardians (id, civilite, family_name, given_name, name_key, mobile, email, account_id)
    select * from unnest(${ids}::uuid[], ${people.map((p) => p.civilite)}::text[], ${people.map((p) => p.family)}::text[],
      ${people.map((p) => p.given)}::text[], ${people.map((p) => p.name_key)}::text[], ${people.map((p) => p.mobile)}::text[],
      ${people.map((p) => p.email)}::text[], ${accountIds}::uuid[])`.execute(trx);
  counts.guardians.added += people.length;
  counts.accounts.created += people.length;
  // Kept in memory rather than written back to the staging rows: later schools of this import reuse them.
  people.forEach((p, i) => counts.createdGuardians.set(p.group_line, ids[i]!));
  for (const id of ids) counts.createdGuardianIds.add(id);
}

/**
 * Brings existing guardians up to date with their latest row in the file, in the school that row belongs to (so
 * each guardian is written once per import, whatever the number of schools their children attend).
 */
export async function updateGuardians(trx: Db, importId: string, uai: string, counts: ImportCounts): Promise<void> {
  const updated = await sql<{ id: string }>`
    with rep as (
      select distinct on (r.guardian_id) r.guardian_id, r.uai, r.civilite, r.resp_family_name, r.resp_given_name,
        r.resp_name_key, r.resp_mobile, r.resp_email
      from directory_import_rows r
      where r.import_id = ${importId} and r.guardian_id in (
        select guardian_id from directory_import_rows where import_id = ${importId} and uai = ${uai} and guardian_id is not null)
      order by r.guardian_id, r.line desc
    )
    update guardians g set civilite = rep.civilite, family_name = rep.resp_family_name, given_name = rep.resp_given_name,
      name_key = rep.resp_name_key, mobile = rep.resp_mobile, email = rep.resp_email, updated_at = now()
    from rep where rep.uai = ${uai} and g.id = rep.guardian_id
      and (g.civilite, g.family_name, g.given_name, g.name_key, g.mobile, g.email)
        is distinct from (rep.civilite, rep.resp_family_name, rep.resp_given_name, rep.resp_name_key, rep.resp_mobile, rep.resp_email)
    returning g.id`.execute(trx);
  if (updated.rows.length === 0) return;
  const ids = updated.rows.map((r) => r.id);
  counts.guardians.updated += ids.length;
  // Names follow the school; contact details only until the person has taken the account over.
  await sql`
    update accounts a set given_name = g.given_name, family_name = g.family_name,
      email = case when a.state in ('non_notifie', 'notifie') then g.email else a.email end,
      mobile = case when a.state in ('non_notifie', 'notifie') then g.mobile else a.mobile end,
      updated_at = now()
    from guardians g where g.id = any(${ids}::uuid[]) and a.id = g.account_id`.execute(trx);
}
