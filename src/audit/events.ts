// What an audit event may say. Structurally safe: kinds are a closed union, details a whitelist of keys whose
// types cannot carry a password, code or token, and `sanitizeEvent` checks the same at run time (a caller in plain
// JavaScript, or a cast, gets its extra keys dropped, a phone number masked and anything token-shaped refused).
import { maskPhone } from '../logger.js';
import { maskEmail } from '../messaging/mailer.js';

/** Every kind a journey records (admin actions aside). */
export const JOURNEY_KINDS = [
  'signin.success',
  'signin.failure',
  'signin.locked',
  'logout',
  'consent.given',
  'backchannel.failed',
  'token.reuse_detected',
  'grant.revoked',
  'first_connection.completed',
  'first_connection.failed',
  'activation.completed',
  'activation.failed',
  'recovery.started',
  'recovery.completed',
  'recovery.failed',
  'account.password_changed',
  'account.email_changed',
  'consent.withdrawn',
  'account.merged',
  'attachment.reported',
  'federation.linked',
  'federation.failed',
  'federation.unlinked',
  'passkey.registered',
  'passkey.removed',
] as const;

/** `admin.<route>`: one per admin API route that changes something (src/admin/audit-middleware.ts). */
export type AdminKind = `admin.${string}`;
export type AuditKind = (typeof JOURNEY_KINDS)[number] | AdminKind;

export type AuditOutcome = 'success' | 'failure';

/** Why a sign-in failed, as a class: never which of identifiant or password was wrong beyond what the log needs. */
export type SignInFailureReason = 'wrong_credentials' | 'missing_fields' | 'provisional_expired' | 'rate_limited';

/**
 * The only keys details may have. Strings are short labels or identifiers, never free text from a request body:
 * `mobile` and `email` are masked on the way in, and no key can hold a password, code or token.
 */
export interface AuditDetails {
  reason?: string;
  /** The OAuth error code or a fixed label (`invalid_client`, `letter_used`…). */
  error?: string;
  method?: string;
  /** A route template (`/clients/:id`), never the path with its values. */
  route?: string;
  status?: number;
  /** Path parameters of an admin route (`{ id: 'client-id' }`). */
  ids?: Record<string, string>;
  scopes?: string[];
  /** Masked on the way in (`+33 6 ** ** ** 78`). */
  mobile?: string;
  /** Masked on the way in (`c…@example.fr`). */
  email?: string;
  count?: number;
  grant_id_hash?: string;
  already_active?: boolean;
  state?: string;
  via?: string;
}

export interface AuditEvent {
  kind: AuditKind;
  outcome: AuditOutcome;
  accountId?: string | null | undefined;
  clientId?: string | null | undefined;
  address?: string | null | undefined;
  /** Taken from the request context when not given (src/http/request-context.ts). */
  requestId?: string | null | undefined;
  details?: AuditDetails | undefined;
}

/** A row ready for the store. */
export interface AuditRow {
  at: Date;
  kind: string;
  outcome: AuditOutcome;
  account_id: string | null;
  client_id: string | null;
  address: string | null;
  request_id: string | null;
  details: string;
}

const KIND = new Set<string>(JOURNEY_KINDS);
const ADMIN_KIND = /^admin\.[a-z0-9_.-]{1,80}$/;
const STRING_KEYS = new Set(['reason', 'error', 'method', 'route', 'mobile', 'email', 'grant_id_hash', 'state', 'via']);
const MAX_STRING = 120;
const MAX_LIST = 20;
/** The whole details object, as JSON: details stay short. */
export const MAX_DETAILS_BYTES = 1024;
export const REDACTED = '[refusé]';

export function isAuditKind(kind: unknown): kind is AuditKind {
  return typeof kind === 'string' && (KIND.has(kind) || ADMIN_KIND.test(kind));
}

/** A full phone number anywhere in a string: E.164, or a French national number with or without separators. */
const PHONE = /(\+\d[\d .-]{7,16}\d)|(\b0[1-9](?:[ .-]?\d{2}){4}\b)/g;
/**
 * What a secret looks like: a JWT, a long run of base64url/hex characters (tokens, client secrets, hashes), an
 * argon2 hash, or a short run of digits the length of an SMS code.
 */
const SECRET_SHAPES = [/eyJ[\w-]+\.[\w-]+/, /[A-Za-z0-9_-]{32,}/, /\$argon2/, /^\d{4,8}$/];

/** True for text shaped like a token, secret, hash or code (uuids and our client ids are not). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function looksSecret(text: string): boolean {
  // An account, pupil or row id is a UUID: it names a record, it opens nothing.
  if (UUID.test(text)) return false;
  return SECRET_SHAPES.some((re) => re.test(text));
}

function cleanString(value: string, key: string): string {
  let text = value.slice(0, MAX_STRING * 2);
  if (looksSecret(text)) return REDACTED;
  text = text.replace(PHONE, (m) => maskPhone(m.replace(/[ .-]/g, '').replace(/^0/, '+33')));
  if (key === 'mobile' && !value.includes('*')) text = maskPhone(value.startsWith('+') ? value : `+33${value.replace(/^0/, '')}`);
  if (key === 'email') text = value.includes('…@') ? value : maskEmail(value);
  // Control characters would break the one-line outputs (CLI table, logs).
  return text.replace(/\p{Cc}/gu, ' ').slice(0, MAX_STRING);
}

function cleanIds(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 5)) {
    if (!/^[a-zA-Z_]{1,30}$/.test(k) || typeof v !== 'string') continue;
    out[k] = cleanString(v, k);
  }
  return out;
}

/** Keeps only whitelisted keys of the right type, masked and shortened; returns the JSON to store. */
export function sanitizeDetails(details: unknown): Record<string, unknown> {
  if (!details || typeof details !== 'object' || Array.isArray(details)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    if (STRING_KEYS.has(key) && typeof value === 'string') out[key] = cleanString(value, key);
    else if ((key === 'status' || key === 'count') && typeof value === 'number' && Number.isFinite(value)) out[key] = value;
    else if (key === 'already_active' && typeof value === 'boolean') out[key] = value;
    else if (key === 'scopes' && Array.isArray(value)) out[key] = value.filter((s): s is string => typeof s === 'string').slice(0, MAX_LIST).map((s) => cleanString(s, key));
    else if (key === 'ids') {
      const ids = cleanIds(value);
      if (ids) out[key] = ids;
    }
    // Anything else (password, code, token, body…) is dropped: it has no place in the trail.
  }
  if (JSON.stringify(out).length > MAX_DETAILS_BYTES) return { error: 'details_too_long' };
  return out;
}

function shortText(value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value === '') return null;
  return value.replace(/\p{Cc}/gu, '').slice(0, max) || null;
}

/** The row to store, or undefined for an event whose kind or outcome is not one we know (a bug: logged by the caller). */
export function sanitizeEvent(event: AuditEvent, at: Date, requestId: string | undefined): AuditRow | undefined {
  if (!isAuditKind(event.kind)) return undefined;
  if (event.outcome !== 'success' && event.outcome !== 'failure') return undefined;
  return {
    at,
    kind: event.kind,
    outcome: event.outcome,
    account_id: shortText(event.accountId, 64),
    client_id: shortText(event.clientId, 200),
    address: shortText(event.address, 64),
    request_id: shortText(event.requestId ?? requestId, 128),
    details: JSON.stringify(sanitizeDetails(event.details)),
  };
}
