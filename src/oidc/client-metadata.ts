// Sésame's own client metadata. `first_party` marks our own applications (they skip the consent page); only an
// operator may set it, so dynamic registration and registration management refuse it.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

export const FIRST_PARTY = 'first_party';

const REGISTRATION_ROUTES = new Set(['registration', 'client_update']);

/** The first metadata string (at any depth) holding a control character, as `key`. */
function controlCharacterIn(value: unknown, key: string): string | undefined {
  if (typeof value === 'string') return /\p{Cc}/u.test(value) ? key : undefined;
  if (Array.isArray(value)) return value.map((v) => controlCharacterIn(v, key)).find(Boolean);
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => controlCharacterIn(v, k)).find(Boolean);
  }
  return undefined;
}

/**
 * oidc-provider calls this once per extra property with the whole metadata, so the `first_party` call is also where
 * checks on the metadata as a whole live: control characters have no place in a client name or URI, and a NUL
 * byte would make PostgreSQL refuse to store the client (a 500 instead of invalid_client_metadata).
 */
export function clientMetadataValidator(ctx: KoaContextWithOIDC | undefined, key: string, value: unknown, metadata?: object): void {
  if (key !== FIRST_PARTY) return;
  const faulty = controlCharacterIn(metadata, '');
  if (faulty !== undefined) throw new errors.InvalidClientMetadata(`${faulty || 'metadata'} must not contain control characters`);
  if (value === undefined) return;
  if (ctx && REGISTRATION_ROUTES.has(ctx.oidc?.route ?? '')) {
    throw new errors.InvalidClientMetadata('first_party cannot be set through registration');
  }
  if (typeof value !== 'boolean') throw new errors.InvalidClientMetadata('first_party must be a boolean');
}
