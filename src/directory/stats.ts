// Activation figures per school and class: accounts per state (pupils and guardians of the pupils present),
// the share of guardians who activated their account, and the share of pupils with at least one legal guardian who did.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { AccountState } from '../store/schema.js';
import { legalLink } from './guardianship.js';

const STATES: AccountState[] = ['non_notifie', 'notifie', 'en_cours', 'active', 'disabled'];

export interface ActivationFigures {
  pupils: number;
  guardians: number;
  accounts: { eleve: Record<AccountState, number>; responsable: Record<AccountState, number> };
  /** Guardians with an active account, in % of the guardians (one decimal). */
  guardians_activated_pct: number;
  /** Pupils with at least one legal guardian whose account is active, in % of the pupils (one decimal). */
  pupils_with_activated_guardian_pct: number;
}

export interface SchoolFigures extends ActivationFigures {
  uai: string;
  name: string;
  classes: Array<ActivationFigures & { classe: string | null }>;
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10);
const zeroStates = () => Object.fromEntries(STATES.map((s) => [s, 0])) as Record<AccountState, number>;

export async function activationStats(db: Db, options: { uai?: string | undefined } = {}): Promise<SchoolFigures[]> {
  const only = options.uai ? sql`and p.uai = ${options.uai}` : sql``;
  // Class '' stands for «no class» inside the query, so that grouping() alone tells the school totals apart.
  const present = sql`select p.id, p.uai, coalesce(p.class_name, '') as classe, p.account_id from pupils p where p.detached_at is null ${only}`;
  const accounts = (await sql<{ uai: string; classe: string | null; kind: 'eleve' | 'responsable'; state: AccountState; n: number }>`
    with present as (${present}), holders as (
      select pr.uai, pr.classe, a.id, a.kind, a.state from present pr join accounts a on a.id = pr.account_id
      union
      select pr.uai, pr.classe, a.id, a.kind, a.state from present pr
        join pupil_guardians pg on pg.pupil_id = pr.id join guardians g on g.id = pg.guardian_id join accounts a on a.id = g.account_id
    )
    select uai, case when grouping(classe) = 1 then null else classe end as classe, kind, state, count(distinct id)::int as n
    from holders group by grouping sets ((uai, kind, state), (uai, classe, kind, state))`.execute(db)).rows;
  const pupils = (await sql<{ uai: string; classe: string | null; pupils: number; covered: number }>`
    with present as (${present}), covered as (
      select pr.*, exists (
        select 1 from pupil_guardians pg join guardians g on g.id = pg.guardian_id join accounts a on a.id = g.account_id
        where pg.pupil_id = pr.id and ${legalLink('pg')} and a.state = 'active') as covered
      from present pr
    )
    select uai, case when grouping(classe) = 1 then null else classe end as classe, count(*)::int as pupils,
      count(*) filter (where covered)::int as covered
    from covered group by grouping sets ((uai), (uai, classe))`.execute(db)).rows;
  const names = new Map((await db.selectFrom('schools').select(['uai', 'name']).execute()).map((s) => [s.uai, s.name]));

  const figures = new Map<string, ActivationFigures & { pupilsCovered: number }>();
  const key = (uai: string, classe: string | null) => `${uai}\u0000${classe ?? '\u0001'}`;
  const entry = (uai: string, classe: string | null) => {
    let f = figures.get(key(uai, classe));
    if (!f) {
      f = { pupils: 0, guardians: 0, accounts: { eleve: zeroStates(), responsable: zeroStates() }, guardians_activated_pct: 0, pupils_with_activated_guardian_pct: 0, pupilsCovered: 0 };
      figures.set(key(uai, classe), f);
    }
    return f;
  };
  for (const r of accounts) {
    const f = entry(r.uai, r.classe);
    f.accounts[r.kind][r.state] += r.n;
    if (r.kind === 'responsable') f.guardians += r.n;
  }
  for (const r of pupils) {
    const f = entry(r.uai, r.classe);
    f.pupils = r.pupils;
    f.pupilsCovered = r.covered;
  }
  const finish = (f: ActivationFigures & { pupilsCovered: number }): ActivationFigures => ({
    pupils: f.pupils,
    guardians: f.guardians,
    accounts: f.accounts,
    guardians_activated_pct: pct(f.accounts.responsable.active, f.guardians),
    pupils_with_activated_guardian_pct: pct(f.pupilsCovered, f.pupils),
  });
  const schools = [...new Set(pupils.map((r) => r.uai))].sort();
  return schools.map((uai) => ({
    uai,
    name: names.get(uai) ?? uai,
    ...finish(entry(uai, null)),
    classes: pupils
      .filter((r) => r.uai === uai && r.classe !== null)
      .map((r) => r.classe!)
      .sort((a, b) => a.localeCompare(b, 'fr', { numeric: true }))
      .map((classe) => ({ classe: classe === '' ? null : classe, ...finish(entry(uai, classe)) })),
  }));
}
