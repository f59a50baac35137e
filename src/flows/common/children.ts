// The children a journey asks about (activation, first connection): current pupils a guardian is legally
// responsible for, across schools, with school names and birth dates; and the check of typed birth dates.
import { legalLink } from '../../directory/guardianship.js';
import type { Db } from '../../store/database.js';

export interface Child {
  id: string;
  givenNames: string;
  familyName: string;
  birthdate: string;
  schoolName: string;
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

/** The positions (1-based, as in `birthdate_1…`) whose typed date differs from the school's. */
export function wrongBirthdates(expected: string[], typed: string[]): number[] {
  return expected.map((date, i) => (date === typed[i] ? -1 : i + 1)).filter((i) => i > 0);
}

/** One confirmation by birth dates, counted against `maxTries` (activation and federation share the rule). */
export type BirthdateTry = { kind: 'confirmed' } | { kind: 'wrong'; failures: number; triesLeft: number } | { kind: 'ended'; failures: number };

export function birthdateTry(failuresSoFar: number, allMatch: boolean, maxTries: number): BirthdateTry {
  if (allMatch) return { kind: 'confirmed' };
  const failures = failuresSoFar + 1;
  if (failures >= maxTries) return { kind: 'ended', failures };
  return { kind: 'wrong', failures, triesLeft: maxTries - failures };
}
