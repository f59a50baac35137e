// The children «Mes enfants» lists for a parent account: current pupils linked to any guardian row of the account
// (one per school after a merge), as GUARDIAN_CHILDREN allows (guardianship.ts), with school and class, and
// whether the parent reported the link as wrong.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { linkShowsChild, type GuardianChildren } from './guardianship.js';

export interface AccountChild {
  pupilId: string;
  givenNames: string;
  familyName: string;
  uai: string;
  schoolName: string;
  className: string | null;
  /** Every link of the account to this child is reported (attachment-reports.ts): the claims no longer carry it. */
  reported: boolean;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** In a stable order (birth date, then names), each child once however many guardian rows lead to it. */
export async function childrenOfAccount(db: Db, accountId: string, policy: GuardianChildren): Promise<AccountChild[]> {
  if (!UUID_PATTERN.test(accountId)) return [];
  const rows = await sql<{ pupil_id: string; given_names: string; family_name: string; uai: string; school_name: string; class_name: string | null; reported: boolean }>`
    select p.id as pupil_id, p.given_names, p.family_name, p.uai, s.name as school_name, p.class_name,
      bool_and(exists (select 1 from attachment_reports ar where ar.guardian_id = pg.guardian_id and ar.pupil_id = pg.pupil_id
        and ar.status = 'open')) as reported
    from guardians g
    join pupil_guardians pg on pg.guardian_id = g.id
    join pupils p on p.id = pg.pupil_id
    join schools s on s.uai = p.uai
    where g.account_id = ${accountId} and p.detached_at is null and ${linkShowsChild(policy, 'pg')}
    group by p.id, p.given_names, p.family_name, p.uai, s.name, p.class_name, p.birthdate
    order by p.birthdate, p.given_names, p.id`.execute(db);
  return rows.rows.map((r) => ({
    pupilId: r.pupil_id,
    givenNames: r.given_names,
    familyName: r.family_name,
    uai: r.uai,
    schoolName: r.school_name,
    className: r.class_name,
    reported: r.reported,
  }));
}
