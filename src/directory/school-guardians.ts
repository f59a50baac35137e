// The guardians of one school's snapshot: created for groups of rows no existing guardian matched (one guardian per
// person across schools), and existing ones brought up to date from their latest row in the file.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { DirectoryAccount } from './bulk-accounts.js';
import type { ImportCounts } from './import-summary.js';

/** A guardian to create: its id (given when the file was staged) and the data of its last row in the file. */
export interface NewGuardian {
  id: string;
  civilite: string | null;
  family: string;
  given: string;
  name_key: string;
  mobile: string | null;
  email: string | null;
}

/**
 * The new guardians this school mentions that no earlier school of the import created, each with the data of its
 * last row in the file (ids were given when the file was staged: staging.ts `assignGuardians`).
 */
export async function guardiansToCreate(trx: Db, importId: string, uai: string): Promise<NewGuardian[]> {
  // Ordered by group (the group's first line) so that homonyms are numbered in file order.
  return (await sql<NewGuardian>`
    select r.guardian_id as id, r.civilite, r.resp_family_name as family, r.resp_given_name as given,
      r.resp_name_key as name_key, r.resp_mobile as mobile, r.resp_email as email
    from (select distinct guardian_last_line from directory_import_rows where import_id = ${importId} and uai = ${uai} and guardian_new) as s
    cross join lateral (
      -- offset 0: each guardian's last row fetched through the primary key, never by scanning the whole file per school.
      select * from directory_import_rows r where r.import_id = ${importId} and r.line = s.guardian_last_line offset 0
    ) as r
    where not exists (select 1 from guardians g where g.id = r.guardian_id)
    order by r.group_line`.execute(trx)).rows;
}

/** The accounts of `people`, in the shape `createDirectoryAccounts` takes (created with the school's pupils'). */
export function guardianAccounts(people: NewGuardian[]): DirectoryAccount[] {
  return people.map((p) => ({ kind: 'responsable' as const, givenName: p.given, familyName: p.family, email: p.email, mobile: p.mobile }));
}

/** Inserts the new guardians, given their accounts' ids (same order). */
export async function insertGuardians(trx: Db, people: NewGuardian[], accountIds: string[], counts: ImportCounts): Promise<void> {
  if (people.length === 0) return;
  await sql`
    insert into guardians (id, civilite, family_name, given_name, name_key, mobile, email, account_id)
    select * from unnest(${people.map((p) => p.id)}::uuid[], ${people.map((p) => p.civilite)}::text[], ${people.map((p) => p.family)}::text[],
      ${people.map((p) => p.given)}::text[], ${people.map((p) => p.name_key)}::text[], ${people.map((p) => p.mobile)}::text[],
      ${people.map((p) => p.email)}::text[], ${accountIds}::uuid[])`.execute(trx);
  counts.guardians.added += people.length;
  counts.accounts.created += people.length;
}

/**
 * Brings existing guardians up to date with their latest row in the file, in the school that row belongs to (so
 * each guardian is written once per import, whatever the number of schools their children attend).
 */
export async function updateGuardians(trx: Db, importId: string, uai: string, counts: ImportCounts): Promise<void> {
  // Each existing guardian is written by the school of its last row (staging.ts marked it).
  const updated = await sql<{ id: string }>`
    update guardians g set civilite = rep.civilite, family_name = rep.resp_family_name, given_name = rep.resp_given_name,
      name_key = rep.resp_name_key, mobile = rep.resp_mobile, email = rep.resp_email, updated_at = now()
    from directory_import_rows rep
    where rep.import_id = ${importId} and rep.uai = ${uai} and rep.guardian_last and not rep.guardian_new and g.id = rep.guardian_id
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
