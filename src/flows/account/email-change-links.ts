// Links that confirm a NEW email address asked for in «Mon compte». Same table and keeping as the first
// connection's links (email_verifications: only the token's HMAC, single use, EMAIL_LINK_TTL_SECONDS), under a
// scope of their own: the address is written to the account only when the link is followed.
import type { Db } from '../../store/database.js';
import { LINK_TOKEN_PATTERN, newLinkToken, type SecretHasher } from '../common/one-time-secrets.js';

const SCOPE = 'email-change';

export type ChangeVerdict =
  | { kind: 'valid'; accountId: string; email: string; previous: string | null; identifiant: string }
  | { kind: 'invalid' | 'used' | 'expired' };

export interface EmailChangeLinks {
  /** A new link for `email`; the account's earlier unused links stop working (one change waits at a time). */
  issue(accountId: string, email: string): Promise<string>;
  inspect(token: string): Promise<ChangeVerdict>;
  /** Spends the link and writes the address (verified), in one transaction with the rows locked. */
  confirm(token: string): Promise<ChangeVerdict>;
}

export function createEmailChangeLinks(db: Db, hasher: SecretHasher, options: { ttlSeconds: number }): EmailChangeLinks {
  async function judge(trx: Db, token: string, lock: boolean): Promise<ChangeVerdict> {
    if (!LINK_TOKEN_PATTERN.test(token)) return { kind: 'invalid' };
    let query = trx
      .selectFrom('email_verifications as v')
      .innerJoin('accounts as a', 'a.id', 'v.account_id')
      .select(['v.account_id', 'v.email', 'v.expires_at', 'v.used_at', 'a.identifiant', 'a.email as current_email', 'a.state'])
      .where('v.id', '=', hasher.hash(SCOPE, token));
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row || row.state === 'disabled') return { kind: 'invalid' };
    if (row.used_at) return { kind: 'used' };
    if (new Date(row.expires_at) <= new Date()) return { kind: 'expired' };
    return { kind: 'valid', accountId: row.account_id, email: row.email, previous: row.current_email, identifiant: row.identifiant };
  }

  return {
    async issue(accountId, email) {
      const token = newLinkToken();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('email_verifications').where('account_id', '=', accountId).where('used_at', 'is', null).execute();
        await trx.insertInto('email_verifications').values({
          id: hasher.hash(SCOPE, token),
          account_id: accountId,
          email,
          expires_at: new Date(Date.now() + options.ttlSeconds * 1000),
        }).execute();
      });
      return token;
    },

    inspect: (token) => judge(db, token, false),

    async confirm(token) {
      return db.transaction().execute(async (trx) => {
        const verdict = await judge(trx, token, true);
        if (verdict.kind !== 'valid') return verdict;
        await trx.updateTable('email_verifications').set({ used_at: new Date() }).where('id', '=', hasher.hash(SCOPE, token)).execute();
        // A first connection waiting for its link is finished by this one too: the new address is confirmed.
        await trx.updateTable('accounts')
          .set((eb) => ({
            email: verdict.email,
            email_verified: true,
            updated_at: new Date(),
            state: eb.case().when('state', '=', 'en_cours').then('active' as const).else(eb.ref('state')).end(),
          }))
          .where('id', '=', verdict.accountId)
          .execute();
        return verdict;
      });
    },
  };
}
