// A passkey authenticator in software (ES256, `none` attestation, resident keys, user verification), for tests
// that need WebAuthn responses without a browser: the domain's bookkeeping, and HTTP tests of the endpoints.
// It answers the options the server gives with the JSON a browser would post back; `overrides` forge the parts
// a test wants wrong (another origin, an old counter, another user handle, no user verification).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** Just enough CBOR for attestation objects and COSE keys. */
function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const counterBytes = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

interface StoredKey {
  privateKey: KeyObject;
  userHandle: string;
  counter: number;
}

export interface Overrides {
  origin?: string;
  userVerified?: boolean;
  userHandle?: string | null;
  counter?: number;
  challenge?: string;
}

export function createSoftwareAuthenticator(settings: { rpId: string; origin: string }) {
  const keys = new Map<string, StoredKey>();

  return {
    keys,
    /** The credential ids this authenticator holds, oldest first. */
    ids: () => [...keys.keys()],

    /** Answers generateRegistrationOptions' JSON like navigator.credentials.create(). */
    register(options: { challenge: string; user: { id: string } }, overrides: Overrides = {}) {
      const id = randomBytes(16);
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const cose = cbor(new Map<Cbor, Cbor>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
      const flags = UP | AT | (overrides.userVerified === false ? 0 : UV);
      const lengthBytes = Buffer.from([id.length >> 8, id.length & 255]);
      const authData = Buffer.concat([sha256(settings.rpId), Buffer.from([flags]), counterBytes(0), Buffer.alloc(16), lengthBytes, id, cose]);
      const attestationObject = cbor(new Map<Cbor, Cbor>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
      const clientData = JSON.stringify({ type: 'webauthn.create', challenge: overrides.challenge ?? options.challenge, origin: overrides.origin ?? settings.origin, crossOrigin: false });
      keys.set(b64(id), { privateKey, userHandle: options.user.id, counter: 0 });
      return {
        id: b64(id),
        rawId: b64(id),
        type: 'public-key' as const,
        response: { clientDataJSON: b64(Buffer.from(clientData)), attestationObject: b64(attestationObject), transports: ['internal'] },
        authenticatorAttachment: 'platform' as const,
        clientExtensionResults: {},
      };
    },

    /** Answers generateAuthenticationOptions' JSON like navigator.credentials.get(), with the key `credentialId`. */
    authenticate(options: { challenge: string }, credentialId: string, overrides: Overrides = {}) {
      const key = keys.get(credentialId);
      if (!key) throw new Error(`no such key ${credentialId}`);
      key.counter = overrides.counter ?? key.counter + 1;
      const flags = UP | (overrides.userVerified === false ? 0 : UV);
      const authData = Buffer.concat([sha256(settings.rpId), Buffer.from([flags]), counterBytes(key.counter)]);
      const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: overrides.challenge ?? options.challenge, origin: overrides.origin ?? settings.origin, crossOrigin: false }));
      const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), key.privateKey);
      const userHandle = overrides.userHandle === undefined ? key.userHandle : overrides.userHandle;
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key' as const,
        response: { clientDataJSON: b64(clientData), authenticatorData: b64(authData), signature: b64(signature), ...(userHandle ? { userHandle } : {}) },
        clientExtensionResults: {},
      };
    },
  };
}
