// TEST ONLY: a stand-in for the «Mon compte» guard (src/flows/account/guard.ts, built elsewhere) so that «Mes enfants»
// can be tested before the real one lands. It reads the account from the oidc-provider session a normal sign-in
// left in this browser (the `_session` cookie, signed with the service's keys) — never from anything a request could
// simply claim. The integrator replaces it with createAccountGuard in src/sesame.ts and drops `accountGuard` here.
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Accounts } from '../../src/accounts/accounts.js';

export function sessionAccountGuard(parts: { provider: () => Provider; accounts: Accounts }): Koa.Middleware {
  return async (ctx, next) => {
    const session = await parts.provider().Session.get(ctx as unknown as Parameters<Provider['Session']['get']>[0]);
    const account = session.accountId ? await parts.accounts.findById(session.accountId) : undefined;
    if (!account || account.state === 'disabled') {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = '<!doctype html><html lang="fr"><title>Connexion – Sésame</title><main><h1>Connectez-vous</h1></main></html>';
      return;
    }
    ctx.state.account = { id: account.id, kind: account.kind };
    await next();
  };
}
