// The links that confirm an email address at first connection (common/email-verification-links.ts, valid
// EMAIL_LINK_TTL_SECONDS). Opening one makes the account *activé* with its email verified.
import { sql } from 'kysely';
import type { Db } from '../../store/database.js';
import { createVerificationLinks, type VerificationLinks, type VerificationVerdict } from '../common/email-verification-links.js';
import type { SecretHasher } from '../common/one-time-secrets.js';

export type LinkVerdict = VerificationVerdict;
export type EmailLinks = VerificationLinks;

export function createEmailLinks(db: Db, hasher: SecretHasher, options: { ttlSeconds: number }): EmailLinks {
  return createVerificationLinks(db, hasher, {
    // The HMAC scope: a token is bound to nothing else, its row says which account and address it confirms.
    scope: 'email-link',
    ttlSeconds: options.ttlSeconds,
    // A link for an address since corrected is no longer any link.
    stillApplies: (link) => link.previous === link.email,
    async apply(trx, link) {
      await sql`
        update accounts set email_verified = true, updated_at = now(),
          state = case when state = 'en_cours' then 'active' else state end
        where id = ${link.accountId} and email = ${link.email}`.execute(trx);
    },
  });
}

/** Deletes links past their time (a used one is kept as long, to say «déjà utilisé»). */
export async function purgeEmailLinks(db: Db): Promise<void> {
  await db.deleteFrom('email_verifications').where('expires_at', '<', sql<Date>`now() - interval '7 days'`).execute();
}
