// Cookies under an https issuer: behind the TLS proxy (TRUST_PROXY) every request counts as https, so every cookie,
// ours and oidc-provider's, carries `Secure`; without a trusted proxy, browser pages get a French explanation instead
// of cookies that would travel in clear (or of Koa's refusal to set a secure cookie, which was a 503).
import type { Context, Next } from 'koa';
import { AppError } from './app-error.js';
import { isProviderPath, PROVIDER_ROUTES } from '../oidc/provider.js';
import { tr } from '../i18n/request-language.js';

/**
 * The proxy terminates TLS for an https ISSUER: the public scheme is https whatever the proxy forwards. Both Koa apps
 * (ours and the provider's, which reads the same request) derive `ctx.secure` from X-Forwarded-Proto when the proxy
 * is trusted, so setting it here makes every cookie `Secure` without touching how each part sets its cookies.
 */
export function httpsBehindProxy() {
  return async function markHttps(ctx: Context, next: Next): Promise<void> {
    ctx.req.headers['x-forwarded-proto'] = 'https';
    await next();
  };
}

/** The provider's endpoints a browser visits, which set cookies; the others (token, discovery…) set none. */
const PROVIDER_BROWSER_PATHS: string[] = [PROVIDER_ROUTES.authorization, PROVIDER_ROUTES.end_session];

function setsBrowserCookies(path: string): boolean {
  if (!isProviderPath(path)) return true;
  return PROVIDER_BROWSER_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

export const insecureConnection = (issuer: string) =>
  new AppError(
    'insecure_connection',
    400,
    tr('errors:insecure', { issuer }),
    'request not seen as https while the issuer is https: set TRUST_PROXY=true behind the TLS-terminating proxy',
  );

/** https ISSUER, no trusted proxy: no browser page (and no cookie) over a connection not seen as https. */
export function refuseInsecureBrowsing(issuer: string) {
  return async function checkSecure(ctx: Context, next: Next): Promise<void> {
    if (!ctx.secure && setsBrowserCookies(ctx.path)) throw insecureConnection(issuer);
    await next();
  };
}
