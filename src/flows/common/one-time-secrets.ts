// One-time secrets (SMS codes, email links) kept only as an HMAC under a service secret, bound to what they are
// for (a flow, an account), and compared in constant time. Every instance checks what the others issued.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../store/database.js';
import { getOrCreateSecret } from '../../store/secrets.js';

export interface SecretHasher {
  /** The stored form of `value` for `scope`: a value issued for one scope never matches in another. */
  hash(scope: string, value: string): string;
  /** Computes the HMAC even when nothing is stored, so an empty slot takes the same time to answer. */
  matches(scope: string, value: string, stored: string | null): boolean;
}

export async function createSecretHasher(db: Db, secretName: string): Promise<SecretHasher> {
  const secret = Buffer.from(await getOrCreateSecret(db, secretName, () => randomBytes(32).toString('base64url')), 'base64url');
  const hash = (scope: string, value: string) => createHmac('sha256', secret).update(`${scope}:${value}`).digest('base64url');
  return {
    hash,
    matches(scope, value, stored) {
      const typed = Buffer.from(hash(scope, value));
      const expected = Buffer.from(stored ?? hash(scope, 'nothing stored'));
      return stored !== null && typed.length === expected.length && timingSafeEqual(typed, expected);
    },
  };
}

/** A token for a link: 256 random bits, URL-safe. */
export const newLinkToken = () => randomBytes(32).toString('base64url');
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
