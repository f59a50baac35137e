// The two WebAuthn ceremonies with @simplewebauthn/server: registering a passkey for a signed-in account, and
// signing in with one. Challenges stay server-side (challenges.ts); the relying party is Sésame's own issuer
// (its hostname as RP ID, its origin as the only origin accepted). Resident keys and user verification are
// required: the key names its account by itself and the phone asked for a fingerprint, face or PIN.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { ChallengeStore } from './challenges.js';
import type { AuthenticationInput, RegistrationInput } from './responses.js';
import type { Passkey, PasskeyStore } from './store.js';

export interface RelyingParty {
  /** The RP ID: the issuer's hostname. */
  id: string;
  name: string;
  /** The only origin whose responses are accepted: the issuer's. */
  origin: string;
}

/** How long a ceremony may take, in the browser (timeout) and for the challenge kept here. */
export const CEREMONY_SECONDS = 300;

/** Sésame's relying party, or undefined when the issuer's host is an IP address (browsers refuse it as RP ID). */
export function relyingPartyFor(issuer: string): RelyingParty | undefined {
  const url = new URL(issuer);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return undefined;
  return { id: host, name: 'Sésame', origin: url.origin };
}

export type RegistrationOutcome =
  | { kind: 'registered'; passkey: Passkey }
  | { kind: 'expired' | 'invalid' | 'duplicate' | 'too_many' };

export type AuthenticationOutcome =
  | { kind: 'verified'; accountId: string; passkey: Passkey }
  /** `mismatch`: the key's user handle is not its account's (a key registered for another account). */
  | { kind: 'expired' | 'unknown' | 'mismatch' | 'invalid'; accountId?: string };

export interface PasskeyCeremoniesDeps {
  store: PasskeyStore;
  challenges: ChallengeStore;
  rp: RelyingParty;
  /** Secret for user handles: HMAC(account id), so the authenticator holds no id an application also sees. */
  userHandleKey: string;
  now?: () => Date;
}

/**
 * @simplewebauthn/server (with its ASN.1, X.509 and CBOR parsers: some 250 modules) is loaded by the first ceremony,
 * not at start: most instances go long without one, and loading it at start cost idle memory (docs/performance.md,
 * «Idle memory»).
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
// A failed load (a passing EMFILE, say) is not kept: the next ceremony tries again.
const webauthn = () =>
  (library ??= import('@simplewebauthn/server').catch((err: unknown) => {
    library = undefined;
    throw err;
  }));

export function createPasskeyCeremonies(deps: PasskeyCeremoniesDeps) {
  const { store, challenges, rp } = deps;
  const now = deps.now ?? (() => new Date());
  const userHandle = (accountId: string) => createHmac('sha256', deps.userHandleKey).update(accountId).digest();
  const sameHandle = (given: string, accountId: string) => {
    const a = Buffer.from(given, 'base64url');
    const b = userHandle(accountId);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  return {
    rp,

    async registrationOptions(purpose: string, account: { id: string; identifiant: string; displayName: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const existing = await store.listFor(account.id);
      const options = await (await webauthn()).generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: account.identifiant,
        userID: new Uint8Array(userHandle(account.id)),
        userDisplayName: account.displayName,
        timeout: CEREMONY_SECONDS * 1000,
        attestationType: 'none',
        // The same authenticator twice would be two names for one key: the browser says it is already there.
        excludeCredentials: existing.map((k) => ({ id: k.credentialId, transports: k.transports })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      });
      await challenges.put(purpose, options.challenge);
      return options;
    },

    async register(purpose: string, accountId: string, response: RegistrationInput, name: string): Promise<RegistrationOutcome> {
      const challenge = await challenges.take(purpose);
      if (!challenge) return { kind: 'expired' };
      // Loaded before the `try`: a library that fails to load is a fault (500), not a refused key.
      const lib = await webauthn();
      let verified;
      try {
        verified = await lib.verifyRegistrationResponse({
          response, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true,
        });
      } catch {
        return { kind: 'invalid' };
      }
      if (!verified.verified) return { kind: 'invalid' };
      const { credential } = verified.registrationInfo;
      const added = await store.add({
        credentialId: credential.id,
        accountId,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: response.response.transports,
        name,
      });
      return added.kind === 'added' ? { kind: 'registered', passkey: added.passkey } : added;
    },

    async authenticationOptions(purpose: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      // No allowCredentials: the key names its account (resident key), so nothing is said about who has keys.
      const options = await (await webauthn()).generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required', timeout: CEREMONY_SECONDS * 1000 });
      await challenges.put(purpose, options.challenge);
      return options;
    },

    async authenticate(purpose: string, response: AuthenticationInput): Promise<AuthenticationOutcome> {
      // Taken first, whatever follows: a challenge answers one attempt only.
      const challenge = await challenges.take(purpose);
      if (!challenge) return { kind: 'expired' };
      const passkey = await store.findByCredentialId(response.id);
      if (!passkey) return { kind: 'unknown' };
      const accountId = passkey.accountId;
      if (!response.response.userHandle || !sameHandle(response.response.userHandle, accountId)) return { kind: 'mismatch', accountId };
      const lib = await webauthn();
      let info;
      try {
        const verified = await lib.verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          credential: { id: passkey.credentialId, publicKey: passkey.publicKey, counter: passkey.counter, transports: passkey.transports },
          requireUserVerification: true,
        });
        if (!verified.verified) return { kind: 'invalid', accountId };
        info = verified.authenticationInfo;
      } catch {
        // A bad signature, another origin, no user verification, or a counter gone backwards (a cloned key).
        return { kind: 'invalid', accountId };
      }
      // Another sign-in moved the counter meanwhile: this assertion is the older one.
      if (!(await store.recordUse(passkey.id, passkey.counter, info.newCounter, now()))) return { kind: 'invalid', accountId };
      return { kind: 'verified', accountId, passkey };
    },
  };
}

export type PasskeyCeremonies = ReturnType<typeof createPasskeyCeremonies>;
