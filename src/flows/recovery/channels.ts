// Which ways back an account has: a code by SMS for a parent whose school declared a mobile (on the account, or on
// a guardian row linked to it, as the activation finds it), a link by mail for a confirmed address. Only accounts
// whose own password signs in can be recovered: the others still wait for their school letter.
import { sql } from 'kysely';
import { SIGN_IN_STATES } from '../../accounts/accounts.js';
import type { Db } from '../../store/database.js';

export interface RecoverableAccount {
  id: string;
  identifiant: string;
  /** E.164, when the account is a parent's with a declared mobile. */
  mobile: string | null;
  /** The confirmed address, if any. */
  email: string | null;
}

const STATES = [...SIGN_IN_STATES];

/** One query whatever the outcome, so a known and an unknown identifiant cost alike. */
export async function recoverableAccount(db: Db, identifiant: string): Promise<RecoverableAccount | undefined> {
  const row = await db
    .selectFrom('accounts as a')
    .select(['a.id', 'a.identifiant', 'a.kind', 'a.email', 'a.email_verified', 'a.mobile'])
    .select(sql<string | null>`(select g.mobile from guardians g where g.account_id = a.id and g.mobile is not null order by g.id limit 1)`.as('guardian_mobile'))
    .where('a.identifiant', '=', identifiant)
    .where('a.state', 'in', STATES)
    .executeTakeFirst();
  if (!row) return undefined;
  const mobile = row.kind === 'responsable' ? row.mobile ?? row.guardian_mobile : null;
  const email = row.email_verified && row.email ? row.email : null;
  return { id: row.id, identifiant: row.identifiant, mobile, email };
}

export interface NamedAccount {
  identifiant: string;
  familyName: string;
  givenName: string;
  /** The name keys of the guardian rows linked to the account (the school's spelling). */
  guardianKeys: string[];
}

/** Accounts that can sign in and whose declared mobile is `mobile` (on the account or a linked guardian). */
export async function accountsByMobile(db: Db, mobile: string): Promise<NamedAccount[]> {
  const rows = await db
    .selectFrom('accounts as a')
    .leftJoin('guardians as g', 'g.account_id', 'a.id')
    .select(['a.identifiant', 'a.family_name', 'a.given_name', 'g.name_key'])
    .where('a.state', 'in', STATES)
    .where('a.kind', '=', 'responsable')
    .where((eb) => eb.or([eb('a.mobile', '=', mobile), eb('g.mobile', '=', mobile)]))
    .orderBy('a.identifiant')
    .execute();
  return group(rows);
}

/** Accounts that can sign in and whose confirmed address is `email` (the domain compared without case). */
export async function accountsByEmail(db: Db, email: string): Promise<NamedAccount[]> {
  const rows = await db
    .selectFrom('accounts as a')
    .leftJoin('guardians as g', 'g.account_id', 'a.id')
    .select(['a.identifiant', 'a.family_name', 'a.given_name', 'g.name_key'])
    .where('a.state', 'in', STATES)
    .where('a.email_verified', '=', true)
    .where(sql`lower(a.email)`, '=', email.toLowerCase())
    .orderBy('a.identifiant')
    .execute();
  return group(rows);
}

function group(rows: { identifiant: string; family_name: string; given_name: string; name_key: string | null }[]): NamedAccount[] {
  const byId = new Map<string, NamedAccount>();
  for (const r of rows) {
    const account = byId.get(r.identifiant) ?? { identifiant: r.identifiant, familyName: r.family_name, givenName: r.given_name, guardianKeys: [] };
    if (r.name_key) account.guardianKeys.push(r.name_key);
    byId.set(r.identifiant, account);
  }
  return [...byId.values()];
}
