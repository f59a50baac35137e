// Sésame's own client metadata. `first_party` marks our own applications (they skip the consent page); only an
// operator may set it, so dynamic registration and registration management refuse it.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { hasInvisibleCharacters } from '../accounts/invisible-characters.js';
import { foldClientName, RESERVED_NAMES_STATE } from './reserved-client-names.js';

export const FIRST_PARTY = 'first_party';

const REGISTRATION_ROUTES = new Set(['registration', 'client_update']);

/**
 * What an integrator may give itself through dynamic registration. School data (`scolarite`: children, classes)
 * and the national pupil id (`ine`) are granted by an operator, who registers such clients with the admin API.
 */
export const SELF_SERVICE_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'offline_access']);

/** The first metadata string (at any depth) holding a control character, as `key`. */
function controlCharacterIn(value: unknown, key: string): string | undefined {
  // A lone UTF-16 surrogate is not text either: PostgreSQL's jsonb refuses it (a 500 instead of an answer).
  if (typeof value === 'string') return /\p{Cc}/u.test(value) || !value.isWellFormed() ? key : undefined;
  if (Array.isArray(value)) return value.map((v) => controlCharacterIn(v, key)).find(Boolean);
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => controlCharacterIn(v, k)).find(Boolean);
  }
  return undefined;
}

/**
 * Registered by an operator (admin API, `sesame clients add`, the demo seed): `first_party` is always written then,
 * true or false, and registration refuses it, so a self-registered client never has it.
 */
export function isOperatorRegistered(client: object | undefined): boolean {
  return typeof (client as Record<string, unknown> | undefined)?.[FIRST_PARTY] === 'boolean';
}

/** The client names (`client_name` and its language variants `client_name#fr`…) of the metadata. */
function clientNames(metadata: object | undefined): string[] {
  return Object.entries(metadata ?? {})
    .filter(([k, v]) => (k === 'client_name' || k.startsWith('client_name#')) && typeof v === 'string')
    .map(([, v]) => v as string);
}

/** Invisible characters anywhere in a name; a self-registered client taking an operator's application name. */
function checkClientNames(ctx: KoaContextWithOIDC | undefined, metadata: object | undefined, selfService: boolean): void {
  const names = clientNames(metadata);
  if (names.some(hasInvisibleCharacters)) {
    throw new errors.InvalidClientMetadata('client_name must not contain bidirectional controls or zero-width characters');
  }
  const reserved = selfService ? (ctx?.state as Record<string, unknown> | undefined)?.[RESERVED_NAMES_STATE] : undefined;
  if (reserved instanceof Set && names.some((n) => reserved.has(foldClientName(n)))) {
    throw new errors.InvalidClientMetadata('client_name is the name of an application registered by the operator; choose another');
  }
}

/**
 * oidc-provider calls this once per extra property with the whole metadata, so the `first_party` call is also where
 * checks on the metadata as a whole live: control characters have no place in a client name or URI, and a NUL
 * byte would make PostgreSQL refuse to store the client (a 500 instead of invalid_client_metadata).
 */
export function clientMetadataValidator(ctx: KoaContextWithOIDC | undefined, key: string, value: unknown, metadata?: object): void {
  if (key === RESOURCE_SERVER) return checkResourceServer(ctx, value);
  if (key === HOME_URL || key === HOME_DESCRIPTION) return checkHomeListing(ctx, key, value);
  if (key !== FIRST_PARTY) return;
  const faulty = controlCharacterIn(metadata, '');
  if (faulty !== undefined) throw new errors.InvalidClientMetadata(`${faulty || 'metadata'} must not contain control characters`);
  const selfService = Boolean(ctx && REGISTRATION_ROUTES.has(ctx.oidc?.route ?? ''));
  checkClientNames(ctx, metadata, selfService);
  const scope = (metadata as { scope?: unknown } | undefined)?.scope;
  if (selfService && typeof scope === 'string') {
    const refused = scope.split(' ').filter((s) => s && !SELF_SERVICE_SCOPES.has(s));
    if (refused.length) throw new errors.InvalidClientMetadata(`scope ${refused.join(', ')} is granted by an operator, not through registration`);
  }
  if (value === undefined) return;
  if (selfService) {
    throw new errors.InvalidClientMetadata('first_party cannot be set through registration');
  }
  if (typeof value !== 'boolean') throw new errors.InvalidClientMetadata('first_party must be a boolean');
}

/**
 * `resource_server` marks a confidential client an operator allows to introspect tokens issued to other clients
 * (an API that receives them). Every other client learns nothing about tokens that are not its own.
 */
export const RESOURCE_SERVER = 'resource_server';

function checkResourceServer(ctx: KoaContextWithOIDC | undefined, value: unknown): void {
  if (value === undefined) return;
  if (ctx && REGISTRATION_ROUTES.has(ctx.oidc?.route ?? '')) {
    throw new errors.InvalidClientMetadata('resource_server cannot be set through registration');
  }
  if (typeof value !== 'boolean') throw new errors.InvalidClientMetadata('resource_server must be a boolean');
}

/**
 * The home page's «Mes services» (src/flows/home/): where an operator's application lives and what it is for. Only
 * an operator sets them (admin API, `sesame clients update`); registration refuses them, so a self-registered
 * client never appears on our home page.
 */
export const HOME_URL = 'home_url';
export const HOME_DESCRIPTION = 'home_description';
export const HOME_DESCRIPTION_MAX = 200;

function checkHomeListing(ctx: KoaContextWithOIDC | undefined, key: string, value: unknown): void {
  if (value === undefined) return;
  if (ctx && REGISTRATION_ROUTES.has(ctx.oidc?.route ?? '')) throw new errors.InvalidClientMetadata(`${key} cannot be set through registration`);
  if (typeof value !== 'string') throw new errors.InvalidClientMetadata(`${key} must be a string`);
  if (key === HOME_URL && !isWebAddress(value)) throw new errors.InvalidClientMetadata('home_url must be an http(s) URL');
  if (key === HOME_DESCRIPTION && (value.trim() === '' || value.length > HOME_DESCRIPTION_MAX || hasInvisibleCharacters(value))) {
    throw new errors.InvalidClientMetadata(`home_description must be 1 to ${HOME_DESCRIPTION_MAX} visible characters`);
  }
}

/** An absolute http(s) URL without credentials: what a parent's browser may be sent to from our home page. */
export function isWebAddress(value: string): boolean {
  if (value.length > 2000 || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
}
