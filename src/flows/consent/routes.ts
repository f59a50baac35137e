// The consent screen for third-party applications: what they will receive, in plain words; allow or refuse.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { finishInteraction, loadInteraction, pageExpired, type InteractionDetails } from '../../http/interaction.js';
import { renderView } from '../../http/views.js';
import { tr } from '../../i18n/request-language.js';
import type { Accounts } from '../../accounts/accounts.js';
import type { AccountKind } from '../../store/schema.js';
import type { Consents } from '../../oidc/consents.js';
import type { AuditTrail } from '../../audit/trail.js';

/** What each scope means to a family, in the words of SCREENS.md; only what applies to the signed-in profile. */
export function scopeWording(scope: string, kind: AccountKind | undefined, offlineDays: number): string | undefined {
  const parent = kind === 'responsable';
  switch (scope) {
    case 'profile': return tr('consent:scope.profile');
    case 'email': return tr('consent:scope.email');
    case 'phone': return tr('consent:scope.phone');
    case 'scolarite': return tr(parent ? 'consent:scope.scolariteParent' : 'consent:scope.scolaritePupil');
    // A parent has no INE: the item would promise something the application never receives.
    case 'ine': return parent ? undefined : tr('consent:scope.ine');
    case 'offline_access': return tr('consent:scope.offlineAccess', { count: offlineDays });
    default: return undefined;
  }
}

export interface ConsentDeps {
  provider: () => Provider;
  accounts: Accounts;
  consents: Consents;
  /** How long a refresh token lives, in seconds: what «même quand vous n’êtes pas connecté» lasts. */
  refreshTokenTtl: number;
  /** Consents given or refused on the page (first-party clients skip it and record nothing). */
  audit: AuditTrail;
}

export function mountConsentRoutes(router: Router, deps: ConsentDeps): void {
  const offlineDays = Math.max(1, Math.floor(deps.refreshTokenTtl / 86_400));

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
    const account = details.session?.accountId ? await deps.accounts.findById(details.session.accountId) : undefined;
    const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    // Asked again with everything allowed already (prompt=consent, which offline_access needs): say what it covers.
    const shown = missing.length ? missing : String(details.params.scope ?? '').split(' ');
    const items = shown.map((s) => scopeWording(s, account?.kind, offlineDays)).filter((w): w is string => Boolean(w));
    ctx.type = 'html';
    ctx.body = renderView('consent', {
      title: tr('common:pageTitle', { page: tr('consent:pageTitle') }),
      clientName,
      identifiant: account?.identifiant,
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
    const event = { kind: 'consent.given', accountId: details.session.accountId, clientId: String(details.params.client_id), address: ctx.ip } as const;
    if (decision !== 'allow') {
      deps.audit.record({ ...event, outcome: 'failure', details: { reason: 'refused' } });
      await finishInteraction(provider, ctx, { error: 'access_denied', error_description: 'the person refused' });
      return;
    }
    const scopes = await grantMissing(provider, ctx, details, deps.consents);
    deps.audit.record({ ...event, outcome: 'success', details: { scopes } });
  });
}

/** Grants what the sign-in asks for and is not granted yet, and lets the sign-in go on. */
/** Returns the scopes the grant now holds. */
async function grantMissing(provider: Provider, ctx: Context, details: InteractionDetails, consents?: Consents): Promise<string[]> {
  const { prompt, params, session, grantId } = details;
  const existing = grantId ? await provider.Grant.find(grantId) : undefined;
  if (grantId && !existing) throw pageExpired();
  const grant = existing ?? new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
  const missingScope = prompt.details.missingOIDCScope as string[] | undefined;
  const missingClaims = prompt.details.missingOIDCClaims as string[] | undefined;
  if (missingScope?.length) grant.addOIDCScope(missingScope.join(' '));
  if (missingClaims?.length) grant.addOIDCClaims(missingClaims);
  // Remembered for the next browser session too (loadExistingGrant in provider.ts); first-party clients need not.
  const scopes = (grant.getOIDCScope() ?? '').split(' ').filter(Boolean);
  if (consents && session?.accountId) await consents.remember(session.accountId, String(params.client_id), scopes);
  await finishInteraction(provider, ctx, { consent: { grantId: await grant.save() } });
  return scopes;
}
