// Directory rows for tests, written with SQL the way the CSV import leaves them: schools, pupils, guardians (one
// row per person across schools, name_key from nameKey) and their links.
import { randomUUID } from 'node:crypto';
import { nameKey } from '../../src/directory/name-key.js';
import type { Db } from '../../src/store/database.js';

export interface ChildFixture {
  given: string;
  family: string;
  /** YYYY-MM-DD */
  birthdate: string;
  uai?: string;
  schoolName?: string;
  className?: string;
  detached?: boolean;
}

export interface GuardianFixture {
  family: string;
  given: string;
  /** E.164, as the import stores it. */
  mobile: string | null;
  email?: string | null;
  accountId?: string | null;
}

export async function addSchool(db: Db, uai: string, name: string): Promise<void> {
  await db.insertInto('schools').values({ uai, name }).onConflict((oc) => oc.column('uai').doNothing()).execute();
}

export async function addGuardian(db: Db, g: GuardianFixture): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('guardians')
    .values({
      id,
      civilite: null,
      family_name: g.family,
      given_name: g.given,
      name_key: nameKey(g.family, g.given),
      mobile: g.mobile,
      email: g.email ?? null,
      account_id: g.accountId ?? null,
    })
    .execute();
  return id;
}

export async function addChild(db: Db, c: ChildFixture, guardianIds: string[], legal = true): Promise<string> {
  const uai = c.uai ?? '0750001A';
  await addSchool(db, uai, c.schoolName ?? 'Collège Jean-Moulin');
  const id = randomUUID();
  await db
    .insertInto('pupils')
    .values({
      id,
      uai,
      local_id: randomUUID().slice(0, 8),
      ine: null,
      family_name: c.family,
      given_names: c.given,
      birthdate: c.birthdate,
      level: '6E',
      class_name: c.className ?? '6A',
      account_id: null,
      detached_at: c.detached ? new Date() : null,
    })
    .execute();
  for (const guardianId of guardianIds) {
    await db.insertInto('pupil_guardians').values({ pupil_id: id, guardian_id: guardianId, relation: null, legal }).execute();
  }
  return id;
}

/** A guardian and their children in one call. */
export async function addFamily(db: Db, guardian: GuardianFixture, children: ChildFixture[]): Promise<{ guardianId: string; childIds: string[] }> {
  const guardianId = await addGuardian(db, guardian);
  const childIds: string[] = [];
  for (const child of children) childIds.push(await addChild(db, child, [guardianId]));
  return { guardianId, childIds };
}

let counter = 0;
/** A distinct French mobile number per call, so tests in one file never share limits by accident. */
export function uniqueMobile(): { e164: string; typed: string } {
  counter += 1;
  // 06 1x…: well inside metropolitan ranges (06 39, 06 9x are overseas numbers written nationally).
  const n = `1${String((Date.now() % 100_000) * 100 + counter).padStart(7, '0').slice(-7)}`;
  const e164 = `+336${n}`;
  return { e164, typed: `06 ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)}` };
}
