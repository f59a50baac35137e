// Small adjustments around oidc-provider's own request handling (its pre/post middleware, `provider.use`), each
// for a protocol guarantee the provider does not give on its own.
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import { answerFailure } from '../http/errors.js';
import { FIRST_PARTY } from './client-metadata.js';
import { batchStored, closeWriteBatch, openWriteBatch, storeBatch } from './deferred-writes.js';

/**
 * The records a provider route writes wait in a batch (deferred-writes.ts) and are stored here, before the provider
 * sends its answer: a code, a token or a redirect never leaves for records that are not stored. If storing fails,
 * the answer becomes the failure's (503), without the redirect or the cookies the route had prepared: the person
 * starts again from the relying party. A fault that escapes the route still stores what it wrote before, as without
 * a batch.
 */
export function storeBeforeProviderAnswers(provider: Provider, logger: Logger): void {
  provider.use(async (ctx, next) => {
    const batch = openWriteBatch();
    if (!batch) return next();
    try {
      await next();
    } catch (err) {
      await storeBatch(batch).then(() => batchStored(batch), () => undefined);
      closeWriteBatch(batch);
      throw err;
    }
    try {
      await storeBatch(batch);
      batchStored(batch);
    } catch (err) {
      ctx.remove('Location');
      ctx.remove('Set-Cookie');
      answerFailure(ctx, err, logger);
      // The code or refresh token was consumed before the batch (consumption is never deferred): a client invited to
      // retry would present it again, and oidc-provider would revoke the whole grant as a replay.
      if ((ctx as KoaContextWithOIDC).oidc?.route === 'token') ctx.remove('Retry-After');
    } finally {
      closeWriteBatch(batch);
    }
  });
}

/**
 * The provider builds every URL it publishes (discovery, registration_client_uri, form actions) from the request's
 * origin, while `issuer` stays fixed: a foreign Host header (or an absolute request target) would advertise
 * endpoints elsewhere, and openid-client rightly refuses a discovery document whose URLs do not match. Every URL
 * comes from ISSUER instead.
 */
export function pinIssuerOrigin(provider: Provider, issuer: string): void {
  const origin = new URL(issuer).origin;
  provider.use(async (ctx, next) => {
    const url = requestPath(ctx.originalUrl);
    Object.defineProperty(ctx.request, 'origin', { value: origin, configurable: true });
    Object.defineProperty(ctx.request, 'href', { value: `${origin}${url}`, configurable: true });
    await next();
  });
}

/** The path and query of a request target, whether origin-form (`/auth?…`) or absolute-form (`http://host/auth?…`). */
function requestPath(target: string): string {
  if (target.startsWith('/')) return target;
  if (!URL.canParse(target)) return '/';
  const absolute = new URL(target);
  return `${absolute.pathname}${absolute.search}`;
}

/** RFC 6749 5.1: token responses carry `Pragma: no-cache` beside `Cache-Control: no-store` (HTTP/1.0 caches). */
export function noCacheTokenResponses(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    if ((ctx as KoaContextWithOIDC).oidc?.route === 'token') ctx.set('Pragma', 'no-cache');
  });
}

/**
 * oidc-provider drops `offline_access` from an authorization request unless it says `prompt=consent`
 * (lib/actions/authorization/scopes.js, checkScope), which OpenID Connect Core 11 allows "other conditions" to
 * replace. Our first-party applications never show a consent page, so for them the request gets
 * `prompt=consent` added on their behalf: the scope then survives, and the consent step is completed without a
 * page (flows/consent). Third-party clients keep the rule: no `prompt=consent`, no refresh token.
 */
export function firstPartyOfflineAccess(provider: Provider, authorizationPath: string): void {
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === authorizationPath) await addConsentPrompt(provider, ctx);
    await next();
  });
}

async function addConsentPrompt(provider: Provider, ctx: { query: Record<string, unknown> }): Promise<void> {
  const { client_id: clientId, scope, prompt } = ctx.query;
  if (typeof clientId !== 'string' || typeof scope !== 'string' || !scope.split(' ').includes('offline_access')) return;
  // prompt=none must stay alone (the provider refuses it combined); an array is a duplicate the provider refuses.
  if (prompt !== undefined && (typeof prompt !== 'string' || prompt.split(' ').includes('none') || prompt.split(' ').includes('consent'))) return;
  let client;
  try {
    client = await provider.Client.find(clientId);
  } catch {
    return; // a malformed client_id: the provider answers it properly
  }
  if (!(client as unknown as Record<string, unknown> | undefined)?.[FIRST_PARTY]) return;
  ctx.query = { ...ctx.query, prompt: prompt ? `${prompt} consent` : 'consent' };
}
