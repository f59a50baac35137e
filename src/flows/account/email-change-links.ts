// Links that confirm a NEW email address asked for in «Mon compte»: the first connection's kind of link
// (common/email-verification-links.ts) under a scope of their own; the address is written to the account only
// when the link is followed.
import type { Db } from '../../store/database.js';
import { createVerificationLinks, type VerificationVerdict } from '../common/email-verification-links.js';
import type { SecretHasher } from '../common/one-time-secrets.js';

export type ChangeVerdict = VerificationVerdict;

export interface EmailChangeLinks {
  /** A new link for `email`; the account's earlier unused links stop working (one change waits at a time). */
  issue(accountId: string, email: string): Promise<string>;
  inspect(token: string): Promise<ChangeVerdict>;
  /** Spends the link and writes the address (verified), in one transaction with the rows locked. */
  confirm(token: string): Promise<ChangeVerdict>;
}

export function createEmailChangeLinks(db: Db, hasher: SecretHasher, options: { ttlSeconds: number }): EmailChangeLinks {
  const links = createVerificationLinks(db, hasher, {
    scope: 'email-change',
    ttlSeconds: options.ttlSeconds,
    stillApplies: () => true,
    async apply(trx, link) {
      // A first connection waiting for its link is finished by this one too: the new address is confirmed.
      await trx.updateTable('accounts')
        .set((eb) => ({
          email: link.email,
          email_verified: true,
          updated_at: new Date(),
          state: eb.case().when('state', '=', 'en_cours').then('active' as const).else(eb.ref('state')).end(),
        }))
        .where('id', '=', link.accountId)
        .execute();
    },
  });
  return {
    issue: (accountId, email) => db.transaction().execute((trx) => links.issue(trx, accountId, email)),
    inspect: links.inspect,
    confirm: links.confirm,
  };
}
