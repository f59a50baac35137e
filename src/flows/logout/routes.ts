// «Rester connecté» on the logout confirmation: a page of ours that says so, the provider's session untouched
// (its own "no logout" answer ends the application's authorization and then calls the result a sign-out).
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import { renderStillSignedIn, STAY_SIGNED_IN_PATH } from '../../oidc/pages.js';

export function mountLogoutRoutes(router: Router, deps: { provider: () => Provider }): void {
  router.get(STAY_SIGNED_IN_PATH, async (ctx) => {
    const provider = deps.provider();
    const session = await provider.Session.get(ctx);
    if (!session.accountId) {
      // Signed out meanwhile (other tab, expiry): never claim a session that is not there.
      ctx.status = 303;
      ctx.redirect('/session/end/success');
      return;
    }
    await renderStillSignedIn(provider, ctx, session.state as Parameters<typeof renderStillSignedIn>[2]);
  });
}
