// Links that prove a person reads an email address: a random token in the mail, only its HMAC in
// `email_verifications` under a scope (a first connection's link never confirms an address change), single use,
// valid `ttlSeconds`. What following a link writes is the caller's: this module only issues, judges and spends.
import type { Db } from '../../store/database.js';
import { LINK_TOKEN_PATTERN, newLinkToken, type SecretHasher } from './one-time-secrets.js';

export type VerificationVerdict =
  | { kind: 'valid'; accountId: string; email: string; previous: string | null; identifiant: string }
  | { kind: 'invalid' | 'used' | 'expired' };

export type ValidLink = Extract<VerificationVerdict, { kind: 'valid' }>;

export interface VerificationLinkOptions {
  scope: string;
  ttlSeconds: number;
  /** Whether a link still means something for the account as it is now (e.g. its address was not corrected since). */
  stillApplies(link: ValidLink): boolean;
  /** Writes what the followed link proves, in the transaction that spends it. */
  apply(trx: Db, link: ValidLink): Promise<void>;
}

export interface VerificationLinks {
  /** A new link for `email`, inside the caller's transaction; the account's earlier unused links stop working. */
  issue(trx: Db, accountId: string, email: string): Promise<string>;
  /** What a link is, without spending it (the page before the button). */
  inspect(token: string): Promise<VerificationVerdict>;
  /** Spends the link and applies it: one transaction, the row locked. */
  confirm(token: string): Promise<VerificationVerdict>;
}

export function createVerificationLinks(db: Db, hasher: SecretHasher, options: VerificationLinkOptions): VerificationLinks {
  const id = (token: string) => hasher.hash(options.scope, token);

  async function judge(trx: Db, token: string, lock: boolean): Promise<VerificationVerdict> {
    if (!LINK_TOKEN_PATTERN.test(token)) return { kind: 'invalid' };
    let query = trx
      .selectFrom('email_verifications as v')
      .innerJoin('accounts as a', 'a.id', 'v.account_id')
      .select(['v.account_id', 'v.email', 'v.expires_at', 'v.used_at', 'a.identifiant', 'a.email as current_email', 'a.state'])
      .where('v.id', '=', id(token));
    if (lock) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row || row.state === 'disabled') return { kind: 'invalid' };
    const link: ValidLink = { kind: 'valid', accountId: row.account_id, email: row.email, previous: row.current_email, identifiant: row.identifiant };
    if (!options.stillApplies(link)) return { kind: 'invalid' };
    if (row.used_at) return { kind: 'used' };
    if (new Date(row.expires_at) <= new Date()) return { kind: 'expired' };
    return link;
  }

  return {
    async issue(trx, accountId, email) {
      const token = newLinkToken();
      await trx.deleteFrom('email_verifications').where('account_id', '=', accountId).where('used_at', 'is', null).execute();
      await trx.insertInto('email_verifications').values({
        id: id(token),
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
        await trx.updateTable('email_verifications').set({ used_at: new Date() }).where('id', '=', id(token)).execute();
        await options.apply(trx, verdict);
        return verdict;
      });
    },
  };
}
