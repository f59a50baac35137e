// Creates many directory accounts (pupils, guardians) in a couple of statements: identifiants allocated in bulk,
// accounts inserted from arrays. Accounts created here start *non notifié*, origin *établissement*, no password.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { allocateIdentifiants, type IdentifierStyle } from '../accounts/identifiants.js';
import type { Db } from '../store/database.js';
import type { AccountKind } from '../store/schema.js';

export interface DirectoryAccount {
  kind: AccountKind;
  givenName: string;
  familyName: string;
  email?: string | null;
  mobile?: string | null;
  birthdate?: string | null;
}

/** Returns the new accounts' ids, in the order given. Runs inside the caller's transaction. */
export async function createDirectoryAccounts(trx: Db, accounts: DirectoryAccount[], style: IdentifierStyle): Promise<string[]> {
  if (accounts.length === 0) return [];
  const identifiants = await allocateIdentifiants(trx, accounts, style);
  const ids = accounts.map(() => randomUUID());
  await sql`
    insert into accounts (id, kind, identifiant, given_name, family_name, email, mobile, birthdate, state, origin)
    select id, kind, identifiant, given_name, family_name, email, mobile, birthdate, 'non_notifie', 'etablissement'
    from unnest(${ids}::uuid[], ${accounts.map((a) => a.kind)}::text[], ${identifiants}::text[],
                ${accounts.map((a) => a.givenName)}::text[], ${accounts.map((a) => a.familyName)}::text[],
                ${accounts.map((a) => a.email ?? null)}::text[], ${accounts.map((a) => a.mobile ?? null)}::text[],
                ${accounts.map((a) => a.birthdate ?? null)}::date[])
      as t(id, kind, identifiant, given_name, family_name, email, mobile, birthdate)`.execute(trx);
  return ids;
}
