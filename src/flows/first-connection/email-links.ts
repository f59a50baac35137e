// The links that confirm an email address: a random token in the mail, only its HMAC in `email_verifications`,
// single use, valid EMAIL_LINK_TTL_SECONDS. Opening one makes the account *activé* with its email verified.
import { sql } from 'kysely';
import type { Db } from '../../store/database.js';
import { LINK_TOKEN_PATTERN, newLinkToken, type SecretHasher } from '../common/one-time-secrets.js';

export type LinkVerdict =
  | { kind: 'valid'; accountId: string; email: string; identifiant: string }
  | { kind: 'invalid' | 'used' | 'expired' };

// The HMAC scope: a token is bound to nothing else, its row says which account and address it confirms.
const SCOPE = 'email-link';

export interface EmailLinks {
  /** A new link for `email`, inside the caller's transaction; earlier unused links of the account stop working. */
  issue(trx: Db, accountId: string, email: string): Promise<string>;
  /** What a link is, without spending it (the page before the button). */
  inspect(token: string): Promise<LinkVerdict>;
  /** Spends the link and verifies the address: one transaction, the row locked. */
  confirm(token: string): Promise<LinkVerdict>;
}

export function createEmailLinks(db: Db, hasher: SecretHasher, options: { ttlSeconds: number }): EmailLinks {
  async function judge(trx: Db, token: string, lock: boolean): Promise<LinkVerdict> {
    if (!LINK_TOKEN_PATTERN.test(token)) return { kind: 'invalid' };
    let query = trx
      .selectFrom('email_verifications as v')
      .innerJoin('accounts as a', 'a.id', 'v.account_id')
      .select(['v.id', 'v.account_id', 'v.email', 'v.expires_at', 'v.used_at', 'a.identifiant', 'a.email as current_email', 'a.state'])
      .where('v.id', '=', hasher.hash(SCOPE, token));
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    // A link for an address since corrected, or for a disabled account, is no longer any link.
    if (!row || row.current_email !== row.email || row.state === 'disabled') return { kind: 'invalid' };
    if (row.used_at) return { kind: 'used' };
    if (new Date(row.expires_at) <= new Date()) return { kind: 'expired' };
    return { kind: 'valid', accountId: row.account_id, email: row.email, identifiant: row.identifiant };
  }

  return {
    async issue(trx, accountId, email) {
      const token = newLinkToken();
      await trx.deleteFrom('email_verifications').where('account_id', '=', accountId).where('used_at', 'is', null).execute();
      await trx.insertInto('email_verifications').values({
        id: hasher.hash(SCOPE, token),
        account_id: accountId,
        email,
        expires_at: new Date(Date.now() + options.ttlSeconds * 1000),
      }).execute();
      return token;
    },

    inspect: (token) => judge(db, token, false),

    async confirm(token) {
      return db.transaction().execute(async (trx) => {
        const verdict = await judge(trx, token, true);
        if (verdict.kind !== 'valid') return verdict;
        await trx.updateTable('email_verifications').set({ used_at: new Date() }).where('id', '=', hasher.hash(SCOPE, token)).execute();
        await sql`
          update accounts set email_verified = true, updated_at = now(),
            state = case when state = 'en_cours' then 'active' else state end
          where id = ${verdict.accountId} and email = ${verdict.email}`.execute(trx);
        return verdict;
      });
    },
  };
}

/** Deletes links past their time (a used one is kept as long, to say «déjà utilisé»). */
export async function purgeEmailLinks(db: Db): Promise<void> {
  await db.deleteFrom('email_verifications').where('expires_at', '<', sql<Date>`now() - interval '7 days'`).execute();
}
