// What activation asks of the school directory: the guardians a parent's names and mobile designate (with any
// account already linked), and their current children with school names and birth dates.
import { legalLink } from '../../directory/guardianship.js';
import { NO_NAME_KEY } from '../../directory/name-key.js';
import type { Db } from '../../store/database.js';
import type { AccountState } from '../../store/schema.js';

export interface MatchedGuardian {
  id: string;
  accountId: string | null;
  accountState: AccountState | null;
  identifiant: string | null;
}

export interface Child {
  id: string;
  givenNames: string;
  familyName: string;
  birthdate: string;
  schoolName: string;
}

/** One query whatever the outcome, so a match and a miss cost the same. */
export async function matchGuardians(db: Db, nameKey: string, mobile: string): Promise<MatchedGuardian[]> {
  const rows = await db
    .selectFrom('guardians as g')
    .leftJoin('accounts as a', 'a.id', 'g.account_id')
    .select(['g.id', 'g.account_id', 'a.state', 'a.identifiant'])
    .where('g.name_key', '=', nameKey)
    // A name without letters has the empty key (name-key.ts): it designates nobody, even next to a known mobile.
    .where('g.name_key', '<>', NO_NAME_KEY)
    .where('g.mobile', '=', mobile)
    .orderBy('g.id')
    .execute();
  return rows.map((r) => ({ id: r.id, accountId: r.account_id, accountState: r.state, identifiant: r.identifiant }));
}

/** Current children the guardians are legally responsible for, across schools, in a stable order. */
export async function childrenOf(db: Db, guardianIds: string[]): Promise<Child[]> {
  if (guardianIds.length === 0) return [];
  const rows = await db
    .selectFrom('pupils as p')
    .innerJoin('pupil_guardians as pg', 'pg.pupil_id', 'p.id')
    .innerJoin('schools as s', 's.uai', 'p.uai')
    .select(['p.id', 'p.given_names', 'p.family_name', 'p.birthdate', 's.name as school_name'])
    .where('pg.guardian_id', 'in', guardianIds)
    // Legal responsibility proves the parent, whatever GUARDIAN_CHILDREN lets guardians see later.
    .where(legalLink('pg'))
    .where('p.detached_at', 'is', null)
    .distinct()
    .orderBy('p.family_name')
    .orderBy('p.given_names')
    .orderBy('p.id')
    .execute();
  return rows.map((r) => ({ id: r.id, givenNames: r.given_names, familyName: r.family_name, birthdate: r.birthdate, schoolName: r.school_name }));
}

export async function childrenByIds(db: Db, ids: string[]): Promise<Child[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('pupils as p')
    .innerJoin('schools as s', 's.uai', 'p.uai')
    .select(['p.id', 'p.given_names', 'p.family_name', 'p.birthdate', 's.name as school_name'])
    .where('p.id', 'in', ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, { id: r.id, givenNames: r.given_names, familyName: r.family_name, birthdate: r.birthdate, schoolName: r.school_name }]));
  return ids.map((id) => byId.get(id)).filter((c): c is Child => Boolean(c));
}
