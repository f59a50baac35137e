// Builds the passkey parts from the settings: nothing when they are turned off (PASSKEYS_ENABLED=false) or when
// the issuer's host is an IP address, which browsers refuse as a WebAuthn RP ID (docs/passkeys.md).
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/database.js';
import { getOrCreateSecret } from '../store/secrets.js';
import { CEREMONY_SECONDS, createPasskeyCeremonies, relyingPartyFor, type PasskeyCeremonies } from './ceremonies.js';
import { createChallengeStore } from './challenges.js';
import { createPasskeyStore, type PasskeyStore } from './store.js';

export interface Passkeys {
  store: PasskeyStore;
  ceremonies: PasskeyCeremonies;
}

export async function createPasskeys(db: Db, settings: { enabled: boolean; issuer: string }): Promise<Passkeys | undefined> {
  const rp = relyingPartyFor(settings.issuer);
  if (!settings.enabled || !rp) return undefined;
  const store = createPasskeyStore(db);
  const userHandleKey = await getOrCreateSecret(db, 'passkey-user-handle-key', () => randomBytes(32).toString('base64url'));
  const challenges = createChallengeStore(db, { ttlSeconds: CEREMONY_SECONDS });
  return { store, ceremonies: createPasskeyCeremonies({ store, challenges, rp, userHandleKey }) };
}
