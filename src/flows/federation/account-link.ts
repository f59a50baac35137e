// Turns a guardian confirmed through the upstream into an account with the upstream identity linked, inside the
// caller's transaction, guardian rows locked first (as activation does, account-activation.ts): two confirmations
// of one person at the same moment end with one account.
import type { Accounts } from '../../accounts/accounts.js';
import type { Db } from '../../store/database.js';
import { addLink } from './links.js';

export type LinkResult = { kind: 'linked'; accountId: string; created: boolean } | { kind: 'disabled' | 'other_identity' };

export async function linkGuardian(
  trx: Db,
  accounts: Accounts,
  input: { guardianIds: string[]; issuer: string; sub: string },
): Promise<LinkResult> {
  const guardians = await trx
    .selectFrom('guardians')
    .select(['id', 'given_name', 'family_name', 'mobile', 'account_id'])
    .where('id', 'in', input.guardianIds)
    .orderBy('id')
    .forUpdate()
    .execute();
  const first = guardians[0];
  if (!first) throw new Error('federation link of a guardian that no longer exists');
  const linked = guardians.find((g) => g.account_id)?.account_id ?? null;
  // This identity linked meanwhile (another tab) to an account other than this guardian's: change nothing, create
  // nothing (the insert below would otherwise leave an account without its link).
  const taken = await trx.selectFrom('upstream_links').select('account_id').where('issuer', '=', input.issuer).where('sub', '=', input.sub).executeTakeFirst();
  if (taken && taken.account_id !== linked) return { kind: 'other_identity' };

  let accountId: string;
  let created = false;
  if (linked) {
    const existing = await trx.selectFrom('accounts').select(['id', 'state']).where('id', '=', linked).forUpdate().executeTakeFirstOrThrow();
    // A disabled account stays so: the school or an operator closed it, the upstream does not reopen it.
    if (existing.state === 'disabled') return { kind: 'disabled' };
    if (existing.state !== 'active' && existing.state !== 'en_cours') {
      // The school created it (letter not used yet): the parent takes it over, as activation does; no password is
      // set, the upstream is the way in (a password can be had later with «Mot de passe oublié»).
      // The school's letter stops working: the account is taken, as after a first connection.
      await trx.updateTable('accounts')
        .set({ state: 'active', origin: 'franceconnect', provisional_password_hash: null, provisional_expires_at: null, updated_at: new Date() })
        .where('id', '=', existing.id).execute();
    }
    accountId = existing.id;
  } else {
    // The school's spelling of the names is the reference, as in activation; the number is the school's, unverified.
    const account = await accounts.insert(
      trx,
      { kind: 'responsable', givenName: first.given_name, familyName: first.family_name, mobile: first.mobile, state: 'active', origin: 'franceconnect' },
      null,
    );
    accountId = account.id;
    created = true;
    await trx.updateTable('guardians').set({ account_id: accountId, updated_at: new Date() }).where('id', 'in', input.guardianIds).execute();
  }
  if (!(await addLink(trx, { issuer: input.issuer, sub: input.sub, accountId }))) return { kind: 'other_identity' };
  return { kind: 'linked', accountId, created };
}
