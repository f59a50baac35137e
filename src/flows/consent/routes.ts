// The consent screen for third-party applications: what they will receive, in plain words; allow or refuse.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { finishInteraction, loadInteraction, pageExpired, type InteractionDetails } from '../../http/interaction.js';
import { renderView } from '../../http/views.js';

/** What each scope means to a family, in the words of SCREENS.md. */
export const SCOPE_WORDING: Record<string, string> = {
  profile: 'vos nom et prénom, et votre identifiant',
  email: 'votre adresse électronique',
  phone: 'votre numéro de téléphone portable',
  scolarite: 'votre établissement et votre classe ; pour un parent, la liste de ses enfants et leur classe',
  ine: 'l’identifiant national élève (INE)',
  offline_access: 'rester connecté à ce service',
};

export function mountConsentRoutes(router: Router, deps: { provider: () => Provider }): void {
  router.get('/interaction/:uid/consent', async (ctx) => {
    const { details, clientName, firstParty, operatorRegistered } = await loadInteraction(deps.provider(), ctx);
    if (details.prompt.name !== 'consent') {
      ctx.status = 303;
      ctx.redirect(`/interaction/${details.uid}`);
      return;
    }
    // Our own applications never show a consent page, even when the request asks for one (prompt=consent, which
    // is also how their offline_access survives: provider-middleware.ts).
    if (firstParty && details.session?.accountId) {
      await grantMissing(deps.provider(), ctx, details);
      return;
    }
    const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    const items = missing.map((s) => SCOPE_WORDING[s]).filter((w): w is string => Boolean(w));
    ctx.type = 'html';
    ctx.body = renderView('consent', {
      title: 'Autorisation – Sésame',
      clientName,
      // A self-registered application chose its own name: say that the académie does not run it.
      selfRegistered: !operatorRegistered,
      uid: details.uid,
      items,
      csrf: ctx.state.csrf,
    });
  });

  router.post('/interaction/:uid/consent', async (ctx) => {
    const provider = deps.provider();
    const { details } = await loadInteraction(provider, ctx);
    // A consent posted while the sign-in is still at its login step (or after it moved on) answers nothing.
    if (details.prompt.name !== 'consent' || !details.session?.accountId) throw pageExpired();
    const decision = (ctx.request.body as Record<string, unknown>).decision;
    if (decision !== 'allow') {
      await finishInteraction(provider, ctx, { error: 'access_denied', error_description: 'the person refused' });
      return;
    }
    await grantMissing(provider, ctx, details);
  });
}

/** Grants what the sign-in asks for and is not granted yet, and lets the sign-in go on. */
async function grantMissing(provider: Provider, ctx: Context, details: InteractionDetails): Promise<void> {
  const { prompt, params, session, grantId } = details;
  const existing = grantId ? await provider.Grant.find(grantId) : undefined;
  if (grantId && !existing) throw pageExpired();
  const grant = existing ?? new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
  const missingScope = prompt.details.missingOIDCScope as string[] | undefined;
  const missingClaims = prompt.details.missingOIDCClaims as string[] | undefined;
  if (missingScope?.length) grant.addOIDCScope(missingScope.join(' '));
  if (missingClaims?.length) grant.addOIDCClaims(missingClaims);
  await finishInteraction(provider, ctx, { consent: { grantId: await grant.save() } });
}
