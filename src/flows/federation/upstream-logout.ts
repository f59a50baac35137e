// Logout at the upstream too: a person who signed in through the upstream and signs out of Sésame is sent to the
// upstream's end-session endpoint (id_token_hint), then back to where Sésame's own logout was going.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { UpstreamClient } from './upstream-client.js';

/** The upstream's ID token, kept only in this browser (signed, httpOnly) for the id_token_hint of the logout. */
export const UPSTREAM_TOKEN_COOKIE = 'sesame.upstream';
const AFTER_COOKIE = 'sesame.federation.after';
export const LOGOUT_RETURN_PATH = '/federation/deconnexion';

const cookie = (https: boolean, maxAgeSeconds: number, path: string) =>
  ({ signed: true, httpOnly: true, sameSite: 'lax', secure: https, overwrite: true, maxAge: maxAgeSeconds * 1000, path }) as const;

export function rememberUpstreamToken(ctx: Context, idToken: string, https: boolean, sessionTtlSeconds: number): void {
  ctx.cookies.set(UPSTREAM_TOKEN_COOKIE, idToken, cookie(https, sessionTtlSeconds, '/'));
}

/**
 * A provider middleware: once a logout is confirmed and no Sésame session is left, the redirect the provider chose
 * (the relying party's post_logout_redirect_uri, or our signed-out page) is kept aside and the browser goes to the
 * upstream first. Nothing changes for a person who did not come through the upstream.
 */
export function logoutAtUpstream(provider: Provider, deps: { upstream: UpstreamClient; issuer: string; https: boolean }): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route !== 'end_session_confirm' || ctx.status < 300 || ctx.status >= 400) return;
    const idToken = ctx.cookies.get(UPSTREAM_TOKEN_COOKIE, { signed: true });
    if (!idToken) return;
    const session = await provider.Session.get(ctx as KoaContextWithOIDC);
    if (session.accountId) return;
    const url = await deps.upstream.endSessionUrl(idToken, `${deps.issuer}${LOGOUT_RETURN_PATH}`).catch(() => undefined);
    ctx.cookies.set(UPSTREAM_TOKEN_COOKIE, null, cookie(deps.https, 0, '/'));
    if (!url) return;
    ctx.cookies.set(AFTER_COOKIE, ctx.response.get('Location'), cookie(deps.https, 600, LOGOUT_RETURN_PATH));
    ctx.redirect(url.toString());
  });
}

/** Back from the upstream's logout: on to where Sésame's logout was going (a URL the provider validated). */
export function mountLogoutReturn(router: Router, deps: { https: boolean }): void {
  router.get(LOGOUT_RETURN_PATH, (ctx) => {
    const after = ctx.cookies.get(AFTER_COOKIE, { signed: true });
    ctx.cookies.set(AFTER_COOKIE, null, cookie(deps.https, 0, LOGOUT_RETURN_PATH));
    ctx.status = 303;
    ctx.redirect(after && /^(https?:\/\/|\/)/.test(after) ? after : '/session/end/success');
  });
}
