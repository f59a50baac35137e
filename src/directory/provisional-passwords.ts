// Provisional passwords a school hands out on paper (letters) or after a reset: 8 characters from an alphabet with
// no look-alikes (no 0/O, 1/l/I), drawn with a CSPRNG, stored only as an argon2id hash with an expiry of 3 months.
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { hashPassword, verifyPassword } from '../accounts/passwords.js';
import type { Db } from '../store/database.js';

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

export interface IssuedPassword {
  accountId: string;
  password: string;
  expiresAt: Date;
}

/**
 * Gives each account a new provisional password (any previous one stops working) and moves accounts that were
 * *non notifié* to *notifié et non activé*. The passwords are returned once, to be printed; only hashes are kept.
 */
export async function issueProvisionalPasswords(db: Db, accountIds: string[], now = new Date()): Promise<IssuedPassword[]> {
  if (accountIds.length === 0) return [];
  const passwords = accountIds.map(() => generateProvisionalPassword());
  const hashes = await hashAll(passwords);
  const expiresAt = provisionalExpiry(now);
  await db.transaction().execute(async (trx) => {
    await sql`
      update accounts a set provisional_password_hash = t.hash, provisional_expires_at = ${expiresAt},
        state = case when a.state = 'non_notifie' then 'notifie' else a.state end, updated_at = now()
      from unnest(${accountIds}::uuid[], ${hashes}::text[]) as t(id, hash)
      where a.id = t.id`.execute(trx);
  });
  return accountIds.map((accountId, i) => ({ accountId, password: passwords[i]!, expiresAt }));
}

export type ResetOutcome =
  | { ok: true; identifiant: string; password: string; expiresAt: Date }
  | { ok: false; reason: 'unknown' | 'disabled' };

/**
 * A school resets a person's password: a new provisional password, returned once. The account's own password
 * stops working at once (whoever knew it is out) and the person goes through the first sign-in again.
 */
export async function resetProvisionalPassword(db: Db, identifiant: string, now = new Date()): Promise<ResetOutcome> {
  const account = await db.selectFrom('accounts').select(['id', 'identifiant', 'state'])
    .where('identifiant', '=', identifiant.trim().toLowerCase()).executeTakeFirst();
  if (!account) return { ok: false, reason: 'unknown' };
  if (account.state === 'disabled') return { ok: false, reason: 'disabled' };
  const password = generateProvisionalPassword();
  const hash = await hashPassword(password);
  const expiresAt = provisionalExpiry(now);
  await db.updateTable('accounts')
    .set({ provisional_password_hash: hash, provisional_expires_at: expiresAt, password_hash: null, password_changed_at: null, state: 'notifie', updated_at: now })
    .where('id', '=', account.id).execute();
  return { ok: true, identifiant: account.identifiant, password, expiresAt };
}

/**
 * For the first sign-in with a letter's password: the account when `password` is its current, unexpired
 * provisional password and the account is waiting for activation; otherwise undefined.
 */
export async function checkProvisionalPassword(db: Db, identifiant: string, password: string, now = new Date()): Promise<{ id: string; kind: string } | undefined> {
  const account = await db.selectFrom('accounts').select(['id', 'kind', 'state', 'provisional_password_hash', 'provisional_expires_at'])
    .where('identifiant', '=', identifiant.trim().toLowerCase()).executeTakeFirst();
  if (!account?.provisional_password_hash || !account.provisional_expires_at) return undefined;
  if (!(await verifyPassword(account.provisional_password_hash, password))) return undefined;
  if (new Date(account.provisional_expires_at) <= now || !['notifie', 'en_cours'].includes(account.state)) return undefined;
  return { id: account.id, kind: account.kind };
}
