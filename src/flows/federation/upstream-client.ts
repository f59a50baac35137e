// Sésame as a relying party of the upstream provider (FranceConnect-style), through openid-client: discovery (lazy,
// retried), the authorization request (code + PKCE, state, nonce, acr_values) and the callback (token, ID token
// checks, userinfo). No protocol code of our own, and nothing of Koa.
import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import type { UpstreamSettings } from '../../config.js';

/** What the browser must bring back to the callback; kept in a signed cookie between the two. */
export interface UpstreamChecks {
  state: string;
  nonce: string;
  verifier: string;
}

/** The upstream identity, as far as matching needs it: nothing of this is stored but issuer and sub. */
export interface UpstreamIdentity {
  issuer: string;
  sub: string;
  givenName: string;
  familyName: string;
  /** The usage name (nom d'usage) when the upstream gives one: FranceConnect's family_name is the birth name. */
  usageName: string | null;
  idToken: string;
}

/** Why the callback failed, as a class the screens turn into French: the person cancelled, or anything else. */
export class UpstreamError extends Error {
  constructor(readonly reason: 'access_denied' | 'unavailable' | 'rejected', readonly code: string) {
    super(`upstream sign-in failed: ${reason} (${code})`);
  }
}

/** After a failed discovery, wait this long before trying again (each click would otherwise wait on a dead host). */
const RETRY_AFTER_MS = 30_000;

export type UpstreamClient = ReturnType<typeof createUpstreamClient>;

export function createUpstreamClient(settings: UpstreamSettings, logger: Logger, options: { redirectUri: string }) {
  let config: oidc.Configuration | undefined;
  let pending: Promise<oidc.Configuration | undefined> | undefined;
  let failedAt = 0;
  const insecure = settings.issuer.startsWith('http://');

  async function discover(): Promise<oidc.Configuration | undefined> {
    try {
      const found = await oidc.discovery(
        new URL(settings.issuer),
        settings.clientId,
        { redirect_uris: [options.redirectUri], response_types: ['code'] },
        oidc.ClientSecretBasic(settings.clientSecret),
        // Plain http only for a lab or test upstream (production refuses an http UPSTREAM_ISSUER, config.ts).
        insecure ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      );
      // The ID token's signature is checked against the upstream's JWKS, not only trusted because TLS brought it.
      oidc.enableNonRepudiationChecks(found);
      logger.info({ issuer: settings.issuer }, 'upstream provider discovered');
      return found;
    } catch (err) {
      failedAt = Date.now();
      logger.error({ issuer: settings.issuer, err: { message: (err as Error).message } }, 'upstream provider discovery failed: the button answers a French page until it works');
      return undefined;
    }
  }

  /** The upstream's configuration, discovered once; undefined while it cannot be reached. */
  async function configuration(): Promise<oidc.Configuration | undefined> {
    if (config) return config;
    if (failedAt && Date.now() - failedAt < RETRY_AFTER_MS) return undefined;
    pending ??= discover().finally(() => { pending = undefined; });
    config = await pending;
    return config;
  }

  return {
    label: settings.label,
    issuer: settings.issuer,
    configuration,

    /** The URL to send the browser to, and the checks to keep for its return; undefined when unreachable. */
    async start(): Promise<{ url: URL; checks: UpstreamChecks } | undefined> {
      const found = await configuration();
      if (!found) return undefined;
      const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const params: Record<string, string> = {
        redirect_uri: options.redirectUri,
        scope: settings.scopes,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier),
        code_challenge_method: 'S256',
      };
      if (settings.acrValues) params.acr_values = settings.acrValues;
      return { url: oidc.buildAuthorizationUrl(found, params), checks };
    },

    /** The callback: exchanges the code, has the ID token checked (signature, issuer, audience, nonce), reads userinfo. */
    async finish(currentUrl: URL, checks: UpstreamChecks): Promise<UpstreamIdentity> {
      const found = await configuration();
      if (!found) throw new UpstreamError('unavailable', 'discovery_failed');
      try {
        const tokens = await oidc.authorizationCodeGrant(found, currentUrl, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims()!;
        const info = await oidc.fetchUserInfo(found, tokens.access_token, claims.sub);
        const text = (v: unknown) => (typeof v === 'string' ? v.normalize('NFC').trim() : '');
        return {
          issuer: settings.issuer,
          sub: claims.sub,
          givenName: text(info.given_name),
          familyName: text(info.family_name),
          usageName: text(info.preferred_username) || null,
          idToken: tokens.id_token!,
        };
      } catch (err) {
        throw classify(err);
      }
    },

    /** Where to end the upstream session (RP-initiated logout), when the upstream offers it. */
    async endSessionUrl(idToken: string, postLogoutRedirectUri: string): Promise<URL | undefined> {
      const found = await configuration();
      if (!found?.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(found, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri });
    },
  };
}

/** openid-client's failures as our three classes; the code is for the log and the support reference only. */
function classify(err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (err instanceof oidc.AuthorizationResponseError) {
    return new UpstreamError(err.error === 'access_denied' ? 'access_denied' : 'rejected', err.error);
  }
  if (err instanceof oidc.ResponseBodyError) return new UpstreamError('rejected', err.error);
  const code = (err as { code?: unknown }).code;
  // A network failure (fetch failed, timeout) is the upstream being away; anything else is a response we refused.
  // openid-client wraps a failed fetch in a ClientError whose cause is fetch's TypeError. By name: that error may
  // come from another realm (a test runner's VM), where instanceof fails.
  const names = [(err as Error | undefined)?.name, ((err as { cause?: Error } | undefined)?.cause)?.name];
  if (names.some((n) => n === 'TypeError' || n === 'TimeoutError' || n === 'AbortError')) {
    return new UpstreamError('unavailable', 'unreachable');
  }
  return new UpstreamError('rejected', typeof code === 'string' ? code : 'invalid_response');
}
