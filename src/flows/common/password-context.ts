// What a new password must not contain, for an account that exists: the person's identifiant, names and birth date,
// and for a parent their children's names and birth dates. One definition for every journey that sets a password on
// an existing account (first connection, recovery, «Mon compte»), so none is weaker than the others.
import type { PasswordContext } from '../../accounts/password-policy.js';
import type { Db } from '../../store/database.js';
import { childrenOf } from './children.js';

export async function accountPasswordContext(db: Db, accountId: string): Promise<PasswordContext & { birthdates: (string | null | undefined)[] }> {
  const account = await db.selectFrom('accounts').select(['identifiant', 'given_name', 'family_name', 'birthdate'])
    .where('id', '=', accountId).executeTakeFirstOrThrow();
  const guardians = await db.selectFrom('guardians').select('id').where('account_id', '=', accountId).execute();
  const children = await childrenOf(db, guardians.map((g) => g.id));
  return {
    identifiant: account.identifiant,
    names: [account.given_name, account.family_name],
    familyGivenNames: children.map((c) => c.givenNames),
    familyNames: children.map((c) => c.familyName),
    birthdates: [account.birthdate, ...children.map((c) => c.birthdate)],
  };
}
