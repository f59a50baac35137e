// Provisional passwords a school hands out on paper (letters) or after a reset: 8 characters from an alphabet with
// no look-alikes (no 0/O, 1/l/I), drawn with a CSPRNG, stored only as an argon2id hash with an expiry of 3 months.
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { hashPassword } from '../accounts/passwords.js';
import type { Db } from '../store/database.js';
import type { AccountState } from '../store/schema.js';

export const PROVISIONAL_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const PROVISIONAL_LENGTH = 8;
export const PROVISIONAL_VALID_MONTHS = 3;

export function generateProvisionalPassword(): string {
  let password = '';
  for (let i = 0; i < PROVISIONAL_LENGTH; i += 1) password += PROVISIONAL_ALPHABET[randomInt(PROVISIONAL_ALPHABET.length)];
  return password;
}

export function provisionalExpiry(from: Date): Date {
  const expires = new Date(from);
  expires.setUTCMonth(expires.getUTCMonth() + PROVISIONAL_VALID_MONTHS);
  return expires;
}

/** Hashes a few at a time: argon2 runs on the thread pool, and one at a time would leave cores idle. */
async function hashAll(passwords: string[], parallel = 4): Promise<string[]> {
  const hashes: string[] = new Array(passwords.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, passwords.length) }, async () => {
      while (next < passwords.length) {
        const i = next++;
        hashes[i] = await hashPassword(passwords[i]!);
      }
    }),
  );
  return hashes;
}

export interface DraftPassword {
  accountId: string;
  password: string;
  hash: string;
  expiresAt: Date;
}

/** New provisional passwords and their hashes, not yet stored: letters are printed from these first. */
export async function draftProvisionalPasswords(accountIds: string[], now = new Date()): Promise<DraftPassword[]> {
  const passwords = accountIds.map(() => generateProvisionalPassword());
  const hashes = await hashAll(passwords);
  const expiresAt = provisionalExpiry(now);
  return accountIds.map((accountId, i) => ({ accountId, password: passwords[i]!, hash: hashes[i]!, expiresAt }));
}

/** What an account looked like when its letter was drafted; the commit refuses to overwrite anything newer. */
export interface DraftedFrom {
  state: string;
  provisionalHash: string | null;
}

/** Another letter run, a reset or an activation changed an account between drafting and committing. */
export class ProvisionalConflictError extends Error {}

/**
 * Stores drafted passwords in one transaction (any previous provisional password stops working) and moves accounts
 * that were *non notifié* to *notifié et non activé*. Every account must still be as it was drafted from;
 * otherwise nothing is stored and ProvisionalConflictError is thrown (the printed letters must then be discarded).
 */
export async function commitProvisionalPasswords(db: Db, drafts: Array<DraftPassword & { from: DraftedFrom }>): Promise<void> {
  if (drafts.length === 0) return;
  const ids = drafts.map((d) => d.accountId);
  const hashes = drafts.map((d) => d.hash);
  const expiries = drafts.map((d) => d.expiresAt.toISOString());
  const states = drafts.map((d) => d.from.state);
  const previous = drafts.map((d) => d.from.provisionalHash);
  await db.transaction().execute(async (trx) => {
    const result = await sql`
      update accounts a set provisional_password_hash = t.hash, provisional_expires_at = t.expires_at,
        state = case when a.state = 'non_notifie' then 'notifie' else a.state end, updated_at = now()
      from unnest(${ids}::uuid[], ${hashes}::text[], ${expiries}::timestamptz[], ${states}::text[], ${previous}::text[])
        as t(id, hash, expires_at, old_state, old_hash)
      where a.id = t.id and a.state = t.old_state and a.provisional_password_hash is not distinct from t.old_hash`.execute(trx);
    if (Number(result.numAffectedRows ?? 0) !== drafts.length) throw new ProvisionalConflictError('accounts changed while the letters were printed');
  });
}

export type ResetOutcome =
  | { ok: true; accountId: string; identifiant: string; password: string; expiresAt: Date; revoked: boolean }
  | { ok: false; reason: 'unknown' | 'disabled' };

/**
 * A school resets a person's password: a new provisional password, returned once. By default the account's own
 * password keeps working until the provisional one is used (a reset must not lock out someone who still knows it);
 * its state only moves from *non notifié* to *notifié*. With `revoke`, the own password is removed at once and the
 * account goes back to *notifié* and loses its upstream identity links and passkeys: the caller then ends the
 * account's sessions (src/oidc/account-sessions.ts).
 */
export async function resetProvisionalPassword(db: Db, identifiant: string, options: { revoke?: boolean; now?: Date } = {}): Promise<ResetOutcome> {
  const now = options.now ?? new Date();
  const account = await db.selectFrom('accounts').select(['id', 'identifiant', 'state'])
    .where('identifiant', '=', identifiant.trim().toLowerCase()).executeTakeFirst();
  if (!account) return { ok: false, reason: 'unknown' };
  if (account.state === 'disabled') return { ok: false, reason: 'disabled' };
  const password = generateProvisionalPassword();
  const hash = await hashPassword(password);
  const expiresAt = provisionalExpiry(now);
  const provisional = { provisional_password_hash: hash, provisional_expires_at: expiresAt, updated_at: now };
  const updated = await db.transaction().execute(async (trx) => {
    const update = options.revoke
      ? trx.updateTable('accounts').set({ ...provisional, password_hash: null, password_changed_at: null, state: 'notifie' })
      : trx.updateTable('accounts').set({ ...provisional, state: sql<AccountState>`case when state = 'non_notifie' then 'notifie' else state end` });
    // A disabling that landed meanwhile wins: the reset then reports the account as disabled.
    const result = await update.where('id', '=', account.id).where('state', '<>', 'disabled').executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    // A revoking reset is for an account that may be in someone else's hands: every other way in goes too, or an
    // upstream identity linked or a passkey added by whoever held it would still sign in (docs/passkeys.md).
    if (options.revoke) {
      await trx.deleteFrom('upstream_links').where('account_id', '=', account.id).execute();
      await trx.deleteFrom('passkeys').where('account_id', '=', account.id).execute();
    }
    return true;
  });
  if (!updated) return { ok: false, reason: 'disabled' };
  return { ok: true, accountId: account.id, identifiant: account.identifiant, password, expiresAt, revoked: Boolean(options.revoke) };
}
