// Applies one school's snapshot from the staging rows, inside the caller's transaction: guardians found or
// created (one per person across schools), pupils added, updated or detached, links set, accounts created,
// disabled when nothing links them any more, and given back when a link returns. A handful of statements per school.
import { sql, type Selectable } from 'kysely';
import type { IdentifierStyle } from '../accounts/identifiants.js';
import type { Db } from '../store/database.js';
import { orderedUuids } from '../store/ordered-uuids.js';
import type { DirectoryImportRowsTable } from '../store/schema.js';
import { syncAccountStates } from './account-states.js';
import { createDirectoryAccounts } from './bulk-accounts.js';
import { guardianAccounts, guardiansToCreate, insertGuardians, updateGuardians } from './school-guardians.js';
import type { ImportCounts } from './import-summary.js';

/** The staging columns a school's snapshot reads. */
type StagedRow = Pick<
  Selectable<DirectoryImportRowsTable>,
  'line' | 'school_name' | 'local_id' | 'pupil_ok' | 'ine' | 'family_name' | 'given_names' | 'birthdate' | 'level' | 'class_name'
  | 'guardian_state' | 'relation' | 'legal' | 'guardian_id' | 'guardian_new'
>;

interface PupilRow {
  id: string;
  local_id: string;
  ine: string | null;
  family_name: string;
  given_names: string;
  birthdate: string;
  level: string | null;
  class_name: string | null;
  account_id: string | null;
  detached_at: Date | null;
}

const PUPIL_FIELDS = ['ine', 'family_name', 'given_names', 'birthdate', 'level', 'class_name'] as const;

function samePupil(existing: PupilRow, row: StagedRow): boolean {
  return PUPIL_FIELDS.every((f) => (existing[f] ?? null) === (row[f] ?? null));
}

/** Runs in a transaction begun by `beginImportTransaction` (import-transaction.ts: the import's lock, no JIT). */
export async function applySchool(trx: Db, importId: string, uai: string, style: IdentifierStyle, counts: ImportCounts): Promise<void> {
  const staged = (await sql<StagedRow>`
    select line, school_name, local_id, pupil_ok, ine, family_name, given_names, birthdate::text as birthdate, level,
      class_name, guardian_state, relation, legal, guardian_id, guardian_new
    from directory_import_rows where import_id = ${importId} and uai = ${uai} order by line`.execute(trx)).rows;
  const listed = new Map<string, StagedRow>();
  for (const row of staged) if (row.pupil_ok) listed.set(row.local_id, row);
  // A school without a single readable pupil row is left as it is: an empty snapshot would detach everybody.
  if (listed.size === 0) return;

  const schoolName = [...listed.values()].at(-1)!.school_name!;
  await sql`
    insert into schools (uai, name) values (${uai}, ${schoolName})
    on conflict (uai) do update set name = excluded.name, updated_at = now() where schools.name <> excluded.name`.execute(trx);

  // Guardians: each group of rows was given its guardian before the schools were applied (staging.ts); new ones
  // are created here, by the first school that mentions them (below, with the new pupils' accounts).
  const people = await guardiansToCreate(trx, importId, uai);
  await updateGuardians(trx, importId, uai, counts);
  const guardianOf = new Map<number, string>();
  const newGuardians = new Set<string>();
  for (const r of staged) {
    if (!r.guardian_id) continue;
    guardianOf.set(r.line, r.guardian_id);
    if (r.guardian_new) newGuardians.add(r.guardian_id);
  }

  // Pupils.
  const existing = new Map(
    (await sql<PupilRow>`
      select id, local_id, ine, family_name, given_names, birthdate::text as birthdate, level, class_name, account_id, detached_at
      from pupils where uai = ${uai}`.execute(trx)).rows.map((p) => [p.local_id, p]),
  );
  const mentioned = new Set(staged.map((r) => r.local_id));
  const added: StagedRow[] = [];
  const changed: Array<{ pupil: PupilRow; row: StagedRow }> = [];
  for (const row of listed.values()) {
    const pupil = existing.get(row.local_id);
    if (!pupil) added.push(row);
    else if (pupil.detached_at !== null || !samePupil(pupil, row)) changed.push({ pupil, row });
    else counts.pupils.unchanged += 1;
  }
  const detached = [...existing.values()].filter((p) => p.detached_at === null && !mentioned.has(p.local_id));

  const pupilId = new Map<string, string>([...existing.values()].map((p) => [p.local_id, p.id]));
  const touchedAccounts = new Set<string>();
  // A pupil who changed school is recognised by INE and keeps the account they had.
  const ines = [...new Set(added.map((r) => r.ine).filter((i): i is string => i !== null))];
  // One index probe per INE (`limit` keeps the planner from turning it into a scan of every pupil, which it does
  // when the table grew during this import and its statistics lag behind).
  const byIne = new Map(
    ines.length
      ? (await sql<{ ine: string; account_id: string }>`
          select i.ine, x.account_id from unnest(${ines}::text[]) as i(ine)
          cross join lateral (
            select account_id from pupils where ine = i.ine and account_id is not null order by detached_at desc nulls first limit 1
          ) as x`.execute(trx)).rows.map((r) => [r.ine, r.account_id])
      : [],
  );
  const needAccount = added.filter((r) => !(r.ine && byIne.has(r.ine)));
  // The new guardians' and pupils' accounts in one go (guardians first: homonyms are numbered in that order).
  const newIds = await createDirectoryAccounts(
    trx,
    [
      ...guardianAccounts(people),
      ...needAccount.map((r) => ({ kind: 'eleve' as const, givenName: r.given_names!, familyName: r.family_name!, birthdate: r.birthdate })),
    ],
    style,
  );
  await insertGuardians(trx, people, newIds.slice(0, people.length), counts);
  if (added.length) {
    const pupilAccounts = newIds.slice(people.length);
    counts.accounts.created += pupilAccounts.length;
    const accountFor = new Map(needAccount.map((r, i) => [r.local_id, pupilAccounts[i]!]));
    const accountIds = added.map((r) => accountFor.get(r.local_id) ?? byIne.get(r.ine!)!);
    // A reused account may have been disabled when the pupil left their previous school.
    for (const r of added) if (!accountFor.has(r.local_id)) touchedAccounts.add(byIne.get(r.ine!)!);
    const ids = orderedUuids(added.length);
    added.forEach((r, i) => pupilId.set(r.local_id, ids[i]!));
    await sql`
      insert into pupils (id, uai, local_id, ine, family_name, given_names, birthdate, level, class_name, account_id)
      select id, ${uai}, local_id, ine, family_name, given_names, birthdate, level, class_name, account_id
      from unnest(${ids}::uuid[], ${added.map((r) => r.local_id)}::text[], ${added.map((r) => r.ine)}::text[],
        ${added.map((r) => r.family_name)}::text[], ${added.map((r) => r.given_names)}::text[], ${added.map((r) => r.birthdate)}::date[],
        ${added.map((r) => r.level)}::text[], ${added.map((r) => r.class_name)}::text[], ${accountIds}::uuid[])
        as t(id, local_id, ine, family_name, given_names, birthdate, level, class_name, account_id)`.execute(trx);
    counts.pupils.added += added.length;
  }
  if (changed.length) {
    const rows = changed.map((c) => c.row);
    await sql`
      update pupils p set ine = t.ine, family_name = t.family_name, given_names = t.given_names, birthdate = t.birthdate,
        level = t.level, class_name = t.class_name, detached_at = null, updated_at = now()
      from unnest(${changed.map((c) => c.pupil.id)}::uuid[], ${rows.map((r) => r.ine)}::text[], ${rows.map((r) => r.family_name)}::text[],
        ${rows.map((r) => r.given_names)}::text[], ${rows.map((r) => r.birthdate)}::date[], ${rows.map((r) => r.level)}::text[],
        ${rows.map((r) => r.class_name)}::text[]) as t(id, ine, family_name, given_names, birthdate, level, class_name)
      where p.id = t.id`.execute(trx);
    // The pupil's own account shows the school's spelling of the names and birth date.
    await sql`
      update accounts a set given_name = p.given_names, family_name = p.family_name, birthdate = p.birthdate, updated_at = now()
      from pupils p where p.id = any(${changed.map((c) => c.pupil.id)}::uuid[]) and a.id = p.account_id
        and (a.given_name, a.family_name, a.birthdate) is distinct from (p.given_names, p.family_name, p.birthdate)`.execute(trx);
    for (const c of changed) if (c.pupil.account_id && c.pupil.detached_at) touchedAccounts.add(c.pupil.account_id);
    counts.pupils.updated += changed.length;
  }
  if (detached.length) {
    await sql`update pupils set detached_at = now(), updated_at = now() where id = any(${detached.map((p) => p.id)}::uuid[])`.execute(trx);
    for (const p of detached) if (p.account_id) touchedAccounts.add(p.account_id);
    counts.pupils.detached += detached.length;
  }

  // Links: the snapshot's set for every listed pupil, unless one of its rows was refused (then links are only added).
  const keepLinks = new Set(staged.filter((r) => !r.pupil_ok || r.guardian_state === 'rejected').map((r) => r.local_id));
  const wanted = new Map<string, { pupil: string; guardian: string; relation: string | null; legal: boolean }>();
  for (const row of staged) {
    const guardian = guardianOf.get(row.line);
    if (!row.pupil_ok || row.guardian_state !== 'ok' || !guardian) continue;
    const pupil = pupilId.get(row.local_id)!;
    wanted.set(`${pupil}|${guardian}`, { pupil, guardian, relation: row.relation, legal: row.legal ?? true });
  }
  const current = (await sql<{ pupil_id: string; guardian_id: string; relation: string | null; legal: boolean; local_id: string }>`
    select pg.pupil_id, pg.guardian_id, pg.relation, pg.legal, p.local_id
    from pupils p cross join lateral (
      -- offset 0: links fetched per pupil through the primary key, never by scanning every link of every school.
      select pupil_id, guardian_id, relation, legal from pupil_guardians where pupil_id = p.id offset 0
    ) as pg where p.uai = ${uai}`.execute(trx)).rows;
  const currentKeys = new Map(current.map((l) => [`${l.pupil_id}|${l.guardian_id}`, l]));
  const newLinks = [...wanted.entries()].filter(([k]) => !currentKeys.has(k)).map(([, l]) => l);
  const changedLinks = [...wanted.entries()]
    .filter(([k, l]) => {
      const c = currentKeys.get(k);
      return c && (c.relation !== l.relation || c.legal !== l.legal);
    })
    .map(([, l]) => l);
  const removedLinks = current.filter((l) => listed.has(l.local_id) && !keepLinks.has(l.local_id) && !wanted.has(`${l.pupil_id}|${l.guardian_id}`));
  counts.links.unchanged += wanted.size - newLinks.length - changedLinks.length;
  if (newLinks.length) {
    await sql`
      insert into pupil_guardians (pupil_id, guardian_id, relation, legal)
      select * from unnest(${newLinks.map((l) => l.pupil)}::uuid[], ${newLinks.map((l) => l.guardian)}::uuid[],
        ${newLinks.map((l) => l.relation)}::text[], ${newLinks.map((l) => l.legal)}::boolean[])`.execute(trx);
    counts.links.added += newLinks.length;
  }
  if (changedLinks.length) {
    await sql`
      update pupil_guardians pg set relation = t.relation, legal = t.legal
      from unnest(${changedLinks.map((l) => l.pupil)}::uuid[], ${changedLinks.map((l) => l.guardian)}::uuid[],
        ${changedLinks.map((l) => l.relation)}::text[], ${changedLinks.map((l) => l.legal)}::boolean[]) as t(pupil_id, guardian_id, relation, legal)
      where pg.pupil_id = t.pupil_id and pg.guardian_id = t.guardian_id`.execute(trx);
    counts.links.updated += changedLinks.length;
  }
  if (removedLinks.length) {
    await sql`
      delete from pupil_guardians pg using unnest(${removedLinks.map((l) => l.pupil_id)}::uuid[], ${removedLinks.map((l) => l.guardian_id)}::uuid[]) as t(pupil_id, guardian_id)
      where pg.pupil_id = t.pupil_id and pg.guardian_id = t.guardian_id`.execute(trx);
    counts.links.removed += removedLinks.length;
  }

  // Guardians whose state may change: those of removed links, of detached pupils, and those given a new link.
  const guardianIds = new Set<string>([...removedLinks.map((l) => l.guardian_id), ...newLinks.filter((l) => !newGuardians.has(l.guardian)).map((l) => l.guardian)]);
  // … and those of pupils detached or back from being detached, whose links stayed in place.
  const movedIds = new Set([...detached.map((p) => p.id), ...changed.filter((c) => c.pupil.detached_at).map((c) => c.pupil.id)]);
  for (const l of current) if (movedIds.has(l.pupil_id)) guardianIds.add(l.guardian_id);
  if (guardianIds.size) {
    const accounts = await sql<{ account_id: string }>`
      select distinct account_id from guardians where id = any(${[...guardianIds]}::uuid[]) and account_id is not null`.execute(trx);
    for (const r of accounts.rows) touchedAccounts.add(r.account_id);
  }
  await syncAccountStates(trx, [...touchedAccounts], counts);
}
