// Turns a confirmed guardian into an active account, inside the caller's transaction: the guardian rows are locked
// first, so two activations of one person at the same moment end with one account, not two.
import type { Accounts } from '../../accounts/accounts.js';
import type { Db } from '../../store/database.js';

export interface ActivationResult {
  account: { id: string; identifiant: string };
  /** The guardian already had an active (or disabled) account: nothing was changed. */
  alreadyActive: boolean;
}

export async function activateGuardian(
  trx: Db,
  accounts: Accounts,
  input: { guardianIds: string[]; mobile: string; passwordHash: string },
): Promise<ActivationResult> {
  const guardians = await trx
    .selectFrom('guardians')
    .select(['id', 'given_name', 'family_name', 'account_id'])
    .where('id', 'in', input.guardianIds)
    .orderBy('id')
    .forUpdate()
    .execute();
  const first = guardians[0];
  if (!first) throw new Error('activation of a guardian that no longer exists');
  const linked = guardians.find((g) => g.account_id)?.account_id ?? null;

  let account: { id: string; identifiant: string };
  if (linked) {
    const existing = await trx.selectFrom('accounts').select(['id', 'identifiant', 'state']).where('id', '=', linked).forUpdate().executeTakeFirstOrThrow();
    if (existing.state === 'active' || existing.state === 'disabled') {
      return { account: { id: existing.id, identifiant: existing.identifiant }, alreadyActive: true };
    }
    // The school created it (provisional letter not used yet): the parent takes it over rather than getting a second one.
    await trx
      .updateTable('accounts')
      .set({
        password_hash: input.passwordHash,
        password_changed_at: new Date(),
        state: 'active',
        origin: 'responsable',
        mobile: input.mobile,
        mobile_verified: true,
        updated_at: new Date(),
      })
      .where('id', '=', existing.id)
      .execute();
    account = { id: existing.id, identifiant: existing.identifiant };
  } else {
    // The school's spelling of the names is the reference: it is what every school service shows.
    const created = await accounts.insert(
      trx,
      { kind: 'responsable', givenName: first.given_name, familyName: first.family_name, mobile: input.mobile, state: 'active', origin: 'responsable' },
      input.passwordHash,
    );
    await trx.updateTable('accounts').set({ mobile_verified: true }).where('id', '=', created.id).execute();
    account = { id: created.id, identifiant: created.identifiant };
  }
  await trx.updateTable('guardians').set({ account_id: account.id, updated_at: new Date() }).where('id', 'in', input.guardianIds).execute();
  return { account, alreadyActive: false };
}
