// The passkey endpoints of a sign-in, called by public/passkeys.js from the login page: options, then the
// verification, which finishes the sign-in exactly as the password does and tells the script where to go. Both sit
// under /interaction/<uid>/ so the browser sends the sign-in's own cookie, and carry the page's CSRF token.
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import { loadInteraction, interactionResultUrl } from '../../http/interaction.js';
import { jsonEndpoint } from '../../http/json-endpoint.js';
import { formBody } from '../common/journey-http.js';
import type { SignInHandOver } from '../first-connection/routes.js';
import { PASSKEY_AMR, type PasskeySignIn } from './passkey-sign-in.js';

export const PASSKEY_OPTIONS_PATH = '/interaction/:uid/cle-d-acces/options';
export const PASSKEY_VERIFY_PATH = '/interaction/:uid/cle-d-acces';

export function mountPasskeySignIn(router: Router, deps: { provider: () => Provider; passkeys: PasskeySignIn; firstConnection: SignInHandOver }): void {
  router.post(PASSKEY_OPTIONS_PATH, jsonEndpoint(async (ctx) => {
    const { details } = await loadInteraction(deps.provider(), ctx);
    return deps.passkeys.options(details.uid, ctx.ip);
  }));

  router.post(PASSKEY_VERIFY_PATH, jsonEndpoint(async (ctx) => {
    const provider = deps.provider();
    const { details, clientName } = await loadInteraction(provider, ctx);
    const body = formBody(ctx);
    const attempt = { address: ctx.ip, clientId: typeof details.params.client_id === 'string' ? details.params.client_id : undefined };
    const account = await deps.passkeys.verify(details.uid, body.credential, attempt);
    if (account.state === 'en_cours') {
      // As after a password: an address still waiting for its link gets the reminder first (first connection).
      await deps.firstConnection.remind(ctx, account, { interactionUid: details.uid, clientName: clientName ?? null });
      const location = ctx.response.get('Location');
      // The script goes there itself: this answer is JSON, not a redirect.
      ctx.remove('Location');
      return { location };
    }
    // «Rester connecté sur cet appareil» from the same form, unticked by default.
    const remember = body.remember === 'oui';
    return { location: await interactionResultUrl(provider, ctx, { login: { accountId: account.id, remember, amr: PASSKEY_AMR } }) };
  }));
}
