// The pages oidc-provider itself shows (logout confirmation, signed-out, protocol errors), in our frame and in the
// request's language.
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Context } from 'koa';
import { pageExpiredMessage, serviceDownMessage } from '../http/app-error.js';
import { tr } from '../i18n/request-language.js';
import { renderView } from '../http/views.js';

export interface OidcPages {
  logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void>;
  renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, error: Error): Promise<void>;
}

/** Where «Rester connecté» leads (src/flows/logout): a page of ours, the provider's session left untouched. */
export const STAY_SIGNED_IN_PATH = '/deconnexion/rester-connecte';

// A resumed sign-in whose cookies are gone (old tab, other browser) is an expired page to the person; any other
// protocol error comes from the application that sent them here.
const isExpired = (error: Error) => error instanceof errors.SessionNotFound;

/** What the logout confirmation stored in the provider's session: the validated way back to the application. */
interface LogoutState {
  clientId?: string;
  postLogoutRedirectUri?: string;
  state?: string;
}

/**
 * «Vous êtes toujours connecté», with a way back: the application's post_logout_redirect_uri when its logout request
 * gave one the provider accepted (with its `state`), else our home page.
 */
export async function renderStillSignedIn(provider: Provider, ctx: Context, logoutState: LogoutState | undefined): Promise<void> {
  let back: { href: string; label: string } = { href: '/', label: tr('common:goHome') };
  if (logoutState?.postLogoutRedirectUri) {
    const href = new URL(logoutState.postLogoutRedirectUri);
    if (logoutState.state != null) href.searchParams.set('state', logoutState.state);
    const client = logoutState.clientId ? await provider.Client.find(logoutState.clientId) : undefined;
    back = { href: href.toString(), label: client?.clientName ? tr('logout:backTo', { name: client.clientName }) : tr('logout:backToApplication') };
  }
  ctx.type = 'html';
  ctx.body = renderView('still-signed-in', { title: tr('common:pageTitle', { page: tr('logout:stillSignedIn.title') }), back, clientName: undefined });
}

export function createOidcPages(): OidcPages {
  return {
    async logoutSource(ctx, form) {
      ctx.type = 'html';
      ctx.body = renderView('logout', {
        title: tr('common:pageTitle', { page: tr('logout:confirm.title') }),
        clientName: ctx.oidc.client?.clientName,
        signedIn: Boolean(ctx.oidc.session?.accountId),
        stayHref: STAY_SIGNED_IN_PATH,
        form,
      });
    },
    // Reached after a confirmed logout, but also by a confirmation posted without `logout` or by typing the
    // address: the signed-out page only when no session is left, never as a false reassurance.
    async postLogoutSuccessSource(ctx) {
      const session = await ctx.oidc.provider.Session.get(ctx);
      if (session.accountId) {
        await renderStillSignedIn(ctx.oidc.provider, ctx, undefined);
        return;
      }
      ctx.type = 'html';
      ctx.body = renderView('logged-out', { title: tr('common:pageTitle', { page: tr('logout:signedOut.title') }), clientName: undefined });
    },
    async renderError(ctx, out, error) {
      ctx.type = 'html';
      const heading = isExpired(error) ? tr('errors:heading.expired') : out.error === 'temporarily_unavailable' ? tr('errors:heading.serviceDown') : tr('errors:heading.signInFailed');
      const message = isExpired(error) ? pageExpiredMessage() : out.error === 'temporarily_unavailable' ? serviceDownMessage() : tr('errors:signInFailed');
      ctx.body = renderView('error', { title: tr('common:pageTitle', { page: heading }), heading, message, code: out.error, clientName: undefined });
    },
  };
}

/**
 * Without a signed-in session the provider signs out at once through its own English self-submitting page
 * (end_session.js, renderLogout → formPost). The same request gets our confirmation page instead, with the
 * provider's own form and xsrf secret: nothing happens until the person presses the button.
 */
export function askBeforeLogout(provider: Provider, pages: OidcPages, endSessionPath: string): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route !== 'end_session' || ctx.status !== 200 || oidc.session?.accountId) return;
    const secret = (oidc.session?.state as { secret?: unknown } | undefined)?.secret;
    if (typeof secret !== 'string') return;
    const form = `<form id="op.logoutForm" method="post" action="${endSessionPath}/confirm"><input type="hidden" name="xsrf" value="${secret}"/></form>`;
    // The provider allowed its inline script by hash; our page has none, so that exception goes again.
    const csp = ctx.response.get('Content-Security-Policy');
    if (csp) ctx.set('Content-Security-Policy', csp.replace(/ 'sha256-[^']+'/g, ''));
    await pages.logoutSource(ctx as KoaContextWithOIDC, form);
  });
}
