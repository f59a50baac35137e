// What oidc-provider tells us through its events, turned into one structured log line per protocol failure and
// into audit events (docs/audit.md). Installed once per built provider (src/sesame.ts). Lines carry the route, the
// client id, the OAuth error and the provider's fixed detail text — never a parameter value, token or secret.
//
// `warn` is for what an operator must see: a client failing to authenticate (a wrong or leaked secret), a code or
// refresh token presented twice (replay; the provider revokes the grant), PKCE or redirect_uri mismatches (a broken
// or hostile client). Everything else a client gets wrong (expired code, missing parameter) is `info`.
import { createHash } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/trail.js';
import { looksSecret } from '../audit/events.js';
import { whenStored } from './deferred-writes.js';

interface ProviderError {
  error?: string;
  message?: string;
  error_description?: string;
  error_detail?: string;
  status?: number;
}

interface EventCtx {
  ip?: string;
  oidc?: {
    route?: string;
    client?: { clientId: string };
    params?: Record<string, unknown>;
    session?: { accountId?: string };
    entities?: { Client?: { clientId: string }; RefreshToken?: { accountId?: string }; AuthorizationCode?: { accountId?: string } };
  };
}

/** The provider's failure, classified: what it means, and whether an operator must see it. */
export interface Classified {
  failure: string;
  level: 'warn' | 'info';
  /** Token replay: the provider revoked the grant. */
  replay?: 'authorization_code' | 'refresh_token';
}

export function classify(route: string | undefined, err: ProviderError): Classified {
  const error = err.error ?? err.message ?? 'unknown';
  const detail = `${err.error_detail ?? ''}`;
  // A wrong secret (InvalidClientAuth) apart from an unknown or unusable client_id (InvalidClient).
  if (error === 'invalid_client') {
    return { failure: err.error_description === 'client authentication failed' ? 'client_authentication_failed' : 'invalid_client', level: 'warn' };
  }
  if (error === 'invalid_redirect_uri') return { failure: 'invalid_redirect_uri', level: 'warn' };
  if (error === 'invalid_grant') {
    if (detail.includes('already consumed')) return { failure: 'authorization_code_replayed', level: 'warn', replay: 'authorization_code' };
    if (detail.includes('already used')) return { failure: 'refresh_token_reused', level: 'warn', replay: 'refresh_token' };
    if (detail.includes('code_verifier')) return { failure: 'pkce_mismatch', level: 'warn' };
    if (detail.includes('redirect_uri')) return { failure: 'redirect_uri_mismatch', level: 'warn' };
    if (detail.includes('client mismatch')) return { failure: 'grant_client_mismatch', level: 'warn' };
    return { failure: 'invalid_grant', level: 'info' };
  }
  if (error === 'invalid_token' && route === 'userinfo') return { failure: 'invalid_token', level: 'info' };
  return { failure: error, level: 'info' };
}

/** The provider's own detail text, when it is the short fixed sentence it usually is. */
function safeDetail(err: ProviderError): string | undefined {
  const detail = err.error_detail;
  if (typeof detail !== 'string' || detail.length > 160 || looksSecret(detail)) return undefined;
  return detail;
}

function clientIdOf(ctx: EventCtx): string | undefined {
  const id = ctx.oidc?.client?.clientId ?? ctx.oidc?.entities?.Client?.clientId ?? ctx.oidc?.params?.client_id;
  return typeof id === 'string' && id.length <= 200 && !looksSecret(id) ? id : undefined;
}

/** Grants are named by a hash in the trail: a grant id is a bearer of nothing, but it is no one's business either. */
const grantRef = (grantId: string) => createHash('sha256').update(grantId).digest('base64url').slice(0, 12);

/** Provider events whose name ends in `.error`: each a protocol endpoint that refused a request. */
const ERROR_EVENTS = [
  'grant.error', 'authorization.error', 'introspection.error', 'revocation.error', 'userinfo.error',
  'end_session.error', 'end_session_confirm.error', 'pushed_authorization_request.error',
  'registration_create.error', 'registration_read.error', 'registration_update.error', 'registration_delete.error',
  'jwks.error', 'discovery.error',
] as const;

export function installProviderEvents(provider: Provider, deps: { logger: Logger; audit: AuditTrail }): void {
  const { logger, audit } = deps;
  const log = logger.child({ component: 'oidc' });
  // The provider's typings list some events only; every name below is one it emits (lib/, version 9).
  const on = <A extends unknown[]>(event: string, listener: (...args: A) => void) =>
    (provider.on as unknown as (e: string, l: (...args: A) => void) => void).call(provider, event, listener);

  for (const event of ERROR_EVENTS) {
    on(event, (ctx: EventCtx, err: ProviderError) => {
      const route = ctx.oidc?.route ?? event.replace(/\.error$/, '');
      const verdict = classify(route, err);
      const clientId = clientIdOf(ctx);
      log[verdict.level](
        { event, route, client_id: clientId, error: err.error ?? 'unknown', failure: verdict.failure, detail: safeDetail(err), status: err.status },
        `protocol failure: ${verdict.failure}`,
      );
      if (verdict.replay) {
        const accountId = ctx.oidc?.entities?.RefreshToken?.accountId ?? ctx.oidc?.entities?.AuthorizationCode?.accountId;
        audit.record({ kind: 'token.reuse_detected', outcome: 'failure', accountId, clientId, address: ctx.ip, details: { via: verdict.replay } });
      }
    });
  }

  on('end_session.success', (ctx: EventCtx) => {
    const event = { kind: 'logout', outcome: 'success', accountId: ctx.oidc?.session?.accountId, clientId: clientIdOf(ctx), address: ctx.ip } as const;
    // Emitted before the session's destruction is stored (deferred-writes.ts): recorded only once it is.
    whenStored(() => audit.record(event));
  });

  on('backchannel.error', (ctx: EventCtx, err: Error, client: { clientId: string }, accountId: string | undefined) => {
    // Logged by provider.ts ('back-channel logout not delivered'); recorded here.
    audit.record({
      kind: 'backchannel.failed', outcome: 'failure', accountId, clientId: client.clientId, address: ctx.ip,
      details: { reason: err.name === 'Error' ? 'delivery_failed' : err.name },
    });
  });

  on('grant.revoked', (ctx: EventCtx, grantId: string) => {
    audit.record({
      kind: 'grant.revoked', outcome: 'success', clientId: clientIdOf(ctx), address: ctx.ip,
      accountId: ctx.oidc?.session?.accountId ?? ctx.oidc?.entities?.RefreshToken?.accountId ?? ctx.oidc?.entities?.AuthorizationCode?.accountId,
      details: { via: ctx.oidc?.route ?? 'unknown', grant_id_hash: grantRef(grantId) },
    });
  });
}
