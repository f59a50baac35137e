// WebAuthn challenges kept server-side, one per purpose (a sign-in's interaction, an account's «Mon compte»
// session): a new one replaces the last, and taking one deletes it, so each is used at most once and only before
// its short expiry. Stored in the journeys' table (kind `passkey-challenge`), purged with the other expired flows;
// the row's id is a hash of the purpose, which names an interaction or an account.
import { createHash } from 'node:crypto';
import type { Db } from '../store/database.js';

const KIND = 'passkey-challenge';
const rowId = (purpose: string) => createHash('sha256').update(`passkey:${purpose}`).digest('base64url');

export interface ChallengeStore {
  /** Keeps `challenge` for `purpose`, replacing any earlier one. */
  put(purpose: string, challenge: string): Promise<void>;
  /** The challenge, deleted in the same statement; undefined when none, already taken or expired. */
  take(purpose: string): Promise<string | undefined>;
}

export function createChallengeStore(db: Db, options: { ttlSeconds: number }): ChallengeStore {
  return {
    async put(purpose, challenge) {
      const expiresAt = new Date(Date.now() + options.ttlSeconds * 1000);
      const state = JSON.stringify({ challenge });
      await db
        .insertInto('activation_flows')
        .values({ id: rowId(purpose), kind: KIND, state, expires_at: expiresAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ state, expires_at: expiresAt, updated_at: new Date() }))
        .execute();
    },
    async take(purpose) {
      const row = await db
        .deleteFrom('activation_flows')
        .where('id', '=', rowId(purpose))
        .where('kind', '=', KIND)
        .returning(['state', 'expires_at'])
        .executeTakeFirst();
      if (!row || new Date(row.expires_at).getTime() <= Date.now()) return undefined;
      const challenge = (row.state as { challenge?: unknown }).challenge;
      return typeof challenge === 'string' ? challenge : undefined;
    },
  };
}
