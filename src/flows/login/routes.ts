// The sign-in screens inside an OpenID Connect request: profile choice, identifiant and password.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { AppError } from '../../http/app-error.js';
import { finishInteraction, loadInteraction } from '../../http/interaction.js';
import { renderView } from '../../http/views.js';
import { tr } from '../../i18n/request-language.js';
import type { SignInHandOver } from '../first-connection/routes.js';
import { ProvisionalExpiredError, type createSignIn } from './sign-in.js';
import { readDeviceCookie, writeDeviceCookie } from './device-cookie.js';
import type { SignInAudit } from './sign-in-audit.js';
import { readLoginHint } from './login-hint.js';
import type { UpstreamButton } from '../federation/mount.js';

/** The «amr» of a password sign-in (RFC 8176), in the ID token: relying parties may ask for more than a password. */
const PASSWORD_AMR = ['pwd'];

const PROFILES = new Set(['responsable', 'eleve']);

function profileOf(value: unknown): 'responsable' | 'eleve' | undefined {
  return typeof value === 'string' && PROFILES.has(value) ? (value as 'responsable' | 'eleve') : undefined;
}

function renderLogin(
  ctx: Context,
  offers: { upstream?: UpstreamButton | undefined; passkeys?: boolean | undefined },
  locals: { uid: string; clientName: string | undefined; profil: string | undefined; username?: string; remember?: boolean; error?: string; errorField?: 'username' | 'password' },
) {
  ctx.type = 'html';
  // Never cached: the page may carry an identifiant, and a shared computer's back button must not show it.
  ctx.set('Cache-Control', 'no-store');
  ctx.body = renderView(locals.profil ? 'login/form' : 'login/profile', {
    title: tr('common:pageTitle', { page: tr(locals.error ? 'login:errorTitle' : 'login:title') }),
    csrf: ctx.state.csrf,
    // The footer's pages (Aide…) lead back to this sign-in.
    signInUid: locals.uid,
    // «S'identifier avec FranceConnect», for parents only, when an upstream is configured (src/flows/federation/).
    upstream: locals.profil === 'responsable' ? offers.upstream : undefined,
    // «Se connecter avec une clé d'accès» (passkey-routes.ts), revealed by public/passkeys.js.
    passkeys: Boolean(offers.passkeys),
    ...locals,
  });
}

export function mountLoginRoutes(
  router: Router,
  deps: { provider: () => Provider; signIn: ReturnType<typeof createSignIn>; firstConnection: SignInHandOver; https: boolean; audit: SignInAudit; upstream?: UpstreamButton | undefined; passkeys?: boolean },
): void {
  router.get('/interaction/:uid', async (ctx) => {
    const { details, clientName } = await loadInteraction(deps.provider(), ctx);
    if (details.prompt.name === 'consent') {
      ctx.status = 303;
      ctx.redirect(`/interaction/${details.uid}/consent`);
      return;
    }
    if (details.prompt.name === 'charter') {
      ctx.status = 303;
      ctx.redirect(`/interaction/${details.uid}/charte`);
      return;
    }
    // The relying party's login_hint pre-fills the identifiant and, when it says which, skips the profile choice;
    // «Changer de profil» (?choix) shows the choice again.
    const hint = readLoginHint(details.params.login_hint);
    const profil = profileOf(ctx.query.profil) ?? (ctx.query.choix === undefined ? hint.profil : undefined);
    renderLogin(ctx, deps, { uid: details.uid, clientName, profil, ...(hint.username ? { username: hint.username } : {}) });
  });

  router.post('/interaction/:uid/login', async (ctx) => {
    const provider = deps.provider();
    const { details, clientName } = await loadInteraction(provider, ctx);
    const body = ctx.request.body as Record<string, unknown>;
    const profil = profileOf(body.profil) ?? 'responsable';
    // «Rester connecté sur cet appareil», unticked by default: without it the SSO cookie is a browser-session cookie.
    const remember = body.remember === 'oui';
    let accountId: string;
    const attempt = { address: ctx.ip, clientId: typeof details.params.client_id === 'string' ? details.params.client_id : undefined };
    try {
      const outcome = await deps.signIn(body, ctx.ip, readDeviceCookie(ctx));
      deps.audit.succeeded(attempt, outcome.account.id, outcome.kind === 'first_connection' ? 'letter' : 'password');
      // The right password makes this browser known for the account (failures elsewhere no longer block it).
      if (outcome.deviceCookie) writeDeviceCookie(ctx, outcome.deviceCookie, deps.https);
      // A letter's provisional password starts the first connection; an address still waiting for its link gets
      // a reminder first. Both come back to this sign-in at /interaction/<uid>/premiere-connexion.
      const context = { interactionUid: details.uid, clientName: clientName ?? null };
      if (outcome.kind === 'first_connection') return await deps.firstConnection.begin(ctx, outcome.account, context);
      if (outcome.account.state === 'en_cours') return await deps.firstConnection.remind(ctx, outcome.account, context);
      accountId = outcome.account.id;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      deps.audit.failed(attempt, body.username, err);
      if (err instanceof ProvisionalExpiredError) return deps.firstConnection.expired(ctx, err.accountKind, details.uid);
      ctx.status = err.status;
      if (err.status === 429) ctx.set('Retry-After', String(err.retryAfterSeconds ?? 60));
      const username = typeof body.username === 'string' ? body.username.slice(0, 100) : '';
      // The message also sits beside the field it concerns (aria-describedby): the identifiant when it is missing,
      // otherwise the password (the neutral message never says which of the two was wrong). A rate limit is
      // about neither field.
      const errorField = err.code !== 'invalid_credentials' ? undefined : username.trim() ? 'password' : 'username';
      renderLogin(ctx, deps, { uid: details.uid, clientName, profil, username, remember, error: err.userMessage, ...(errorField ? { errorField } : {}) });
      return;
    }
    await finishInteraction(provider, ctx, { login: { accountId, remember, amr: PASSWORD_AMR } });
  });
}
