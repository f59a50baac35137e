// «Mon compte» over HTTP: the sign-in's return (/compte/connexion), then each section behind the guard. Every
// form carries the screens router's CSRF token; every page is no-store (the guard sets it).
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { AppError, tooManyAttempts } from '../../http/app-error.js';
import type { AccountGrants } from '../../oidc/account-grants.js';
import { scopeWording } from '../consent/routes.js';
import { formBody, showScreen } from '../common/journey-http.js';
import { checkPasswordFields, text, type FieldError } from '../common/form-input.js';
import type { ScreenBase } from '../common/screen.js';
import { checkEmail } from '../first-connection/input.js';
import { mailRefusalMessage } from '../first-connection/screens.js';
import { readDeviceCookie } from '../login/device-cookie.js';
import type { AccountSettings, CurrentPasswordRefusal, Requester } from './account-settings.js';
import { ACCOUNT_CLIENT_ID, ACCOUNT_PATH, CALLBACK_PATH } from './client.js';
import { clearPending, createAccountGuard, currentAccount, readPending, s256, type AccountGuardDeps, type SignedInAccount } from './guard.js';
import { applicationsScreen, emailLinkScreen, emailScreen, informationsScreen, passwordScreen } from './screens.js';
import type { RecentSignIn } from './recent-sign-ins.js';
import { tr } from '../../i18n/request-language.js';

export interface AccountRoutesDeps extends AccountGuardDeps {
  settings: AccountSettings;
  grants: AccountGrants;
  /** How long a refresh token lives, in seconds: how «Mes applications» words offline access. */
  refreshTokenTtl: number;
  /** «Mes dernières connexions», from the audit trail. */
  recentSignIns(accountId: string): Promise<RecentSignIn[]>;
  /** The upstream's name when one is configured: «Mes informations» links to its page. */
  upstreamLabel?: string | undefined;
}

const base = (ctx: Context, errors?: FieldError[]): ScreenBase => ({ csrf: ctx.state.csrf as string, clientName: null, ...(errors ? { errors } : {}) });
const signedIn = (ctx: Context) => ctx.state.account as SignedInAccount;
const requester = (ctx: Context): Requester => ({
  accountId: signedIn(ctx).id, sessionId: ctx.state.accountSessionId as string, address: ctx.ip, deviceCookie: readDeviceCookie(ctx),
});

const signInExpired = () =>
  new AppError('account_sign_in_expired', 400, tr('account:errors.signInExpired'), 'account sign-in state missing or mismatched');

/** The current password's refusal, tied to its field; a limit also says when to try again. */
function currentRefusal(ctx: Context, refusal: CurrentPasswordRefusal): { errors: FieldError[]; status: number } {
  if (refusal.kind === 'limited') {
    ctx.set('Retry-After', String(refusal.retryAfterSeconds));
    return { errors: [{ field: 'current_password', message: tooManyAttempts(refusal.retryAfterSeconds).userMessage }], status: 429 };
  }
  return { errors: [{ field: 'current_password', message: tr('account:errors.wrongCurrentPassword') }], status: 400 };
}

/** The current password as typed: required, never shown again. */
function currentPassword(body: Record<string, unknown>): string | undefined {
  const value = text(body, 'current_password');
  return value ? value : undefined;
}
const NO_CURRENT = (): FieldError => ({ field: 'current_password', message: tr('account:errors.currentPasswordMissing') });

export function mountAccountRoutes(router: Router, deps: AccountRoutesDeps): void {
  const guard = createAccountGuard(deps);
  mountCallback(router, deps);
  mountInformations(router, deps, guard);
  mountPassword(router, deps, guard);
  mountApplications(router, deps, guard);
  mountEmailLink(router, deps);
}

/**
 * The end of the sign-in: the code is spent here, in process, after checking it is ours (client, redirect URI,
 * PKCE); who is signed in is then read from the provider's session, like on every page.
 */
function mountCallback(router: Router, deps: AccountRoutesDeps): void {
  router.get(CALLBACK_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const pending = readPending(ctx);
    clearPending(ctx, deps.https);
    const { state, code } = ctx.query;
    if (!pending || typeof state !== 'string' || state !== pending.state) {
      // Back here from an old tab, already signed in: nothing to finish.
      if (await currentAccount(ctx, deps)) return redirect(ctx, ACCOUNT_PATH);
      throw signInExpired();
    }
    if (typeof code !== 'string' || code.length > 512) {
      throw new AppError('account_sign_in_failed', 400, tr('account:errors.signInFailed'), 'no code at the callback');
    }
    const provider: Provider = deps.provider();
    const found = await provider.AuthorizationCode.find(code).catch(() => undefined);
    const ours = found && found.clientId === ACCOUNT_CLIENT_ID && found.redirectUri === `${deps.issuer}${CALLBACK_PATH}` && found.codeChallenge === s256(pending.verifier);
    if (!found || !ours || !found.isValid) throw signInExpired();
    await found.destroy();
    const current = await currentAccount(ctx, deps);
    if (!current || current.account.id !== found.accountId) throw signInExpired();
    redirect(ctx, pending.returnTo);
  });
}

function redirect(ctx: Context, path: string): void {
  ctx.status = 303;
  ctx.redirect(path);
}

function mountInformations(router: Router, deps: AccountRoutesDeps, guard: ReturnType<typeof createAccountGuard>): void {
  const { settings } = deps;
  router.get(ACCOUNT_PATH, guard, async (ctx) => {
    const notice = ctx.query.courriel === 'envoye' ? tr('account:notice.emailSent') : undefined;
    const details = await settings.details(signedIn(ctx).id);
    showScreen(ctx, informationsScreen(base(ctx), signedIn(ctx), details, await deps.recentSignIns(signedIn(ctx).id), notice, deps.upstreamLabel));
  });

  router.get(`${ACCOUNT_PATH}/courriel`, guard, async (ctx) => {
    const { account } = await settings.details(signedIn(ctx).id);
    showScreen(ctx, emailScreen(base(ctx), signedIn(ctx), account.email));
  });

  router.post(`${ACCOUNT_PATH}/courriel`, guard, async (ctx) => {
    const body = formBody(ctx);
    const { account } = await settings.details(signedIn(ctx).id);
    const checked = checkEmail(body, true);
    const current = currentPassword(body);
    const kept = checked.ok ? { email: checked.value ?? '' } : checked.kept;
    const fail = (errors: FieldError[], status: number) => showScreen(ctx, emailScreen(base(ctx, errors), signedIn(ctx), account.email, kept), status);
    const errors = [...(checked.ok ? [] : checked.errors), ...(current ? [] : [NO_CURRENT()])];
    if (!checked.ok || !current) return fail(errors, 400);
    const outcome = await settings.requestEmailChange(requester(ctx), current, checked.value!);
    switch (outcome.kind) {
      case 'sent':
        return redirect(ctx, `${ACCOUNT_PATH}?courriel=envoye`);
      case 'same':
        return fail([{ field: 'email', message: tr('account:errors.sameEmail') }], 400);
      case 'mail_limited':
      case 'mail_failed': {
        const refusal = outcome.kind === 'mail_limited' ? { kind: 'limited' as const, retryAfterSeconds: outcome.retryAfterSeconds } : outcome;
        const { status, message, retryAfter } = mailRefusalMessage(refusal);
        if (retryAfter) ctx.set('Retry-After', String(retryAfter));
        return fail([{ field: '', message }], status);
      }
      default: {
        const { errors: e, status } = currentRefusal(ctx, outcome);
        return fail(e, status);
      }
    }
  });
}

function mountPassword(router: Router, deps: AccountRoutesDeps, guard: ReturnType<typeof createAccountGuard>): void {
  const path = `${ACCOUNT_PATH}/mot-de-passe`;
  // For the hidden `username` field: a password manager saves the new password with its identifiant.
  const identifiantOf = async (ctx: Context) => (await deps.settings.details(signedIn(ctx).id)).account.identifiant;
  router.get(path, guard, async (ctx) => {
    const notice = ctx.query.change === 'ok' ? tr('account:notice.passwordChanged') : undefined;
    showScreen(ctx, passwordScreen(base(ctx), signedIn(ctx), await identifiantOf(ctx), notice));
  });
  router.post(path, guard, async (ctx) => {
    const body = formBody(ctx);
    const current = currentPassword(body);
    const checked = checkPasswordFields(body);
    const fail = async (errors: FieldError[], status: number) => showScreen(ctx, passwordScreen(base(ctx, errors), signedIn(ctx), await identifiantOf(ctx)), status);
    const errors = [...(current ? [] : [NO_CURRENT()]), ...(checked.ok ? [] : checked.errors)];
    if (!current || !checked.ok) return await fail(errors, 400);
    const outcome = await deps.settings.changePassword(requester(ctx), current, checked.value);
    if (outcome.kind === 'changed') return redirect(ctx, `${path}?change=ok`);
    if (outcome.kind === 'refused') return await fail([{ field: 'password', message: outcome.message }], 400);
    const { errors: e, status } = currentRefusal(ctx, outcome);
    await fail(e, status);
  });
}

function mountApplications(router: Router, deps: AccountRoutesDeps, guard: ReturnType<typeof createAccountGuard>): void {
  const path = `${ACCOUNT_PATH}/applications`;
  const offlineDays = Math.max(1, Math.floor(deps.refreshTokenTtl / 86_400));
  const show = async (ctx: Context, status = 200, extra: { notice?: string; errors?: FieldError[] } = {}) => {
    const account = signedIn(ctx);
    const apps = (await deps.grants.list(account.id)).map((app) => ({
      clientId: app.clientId,
      name: app.name,
      firstParty: app.firstParty,
      items: app.scopes.map((s) => scopeWording(s, account.kind, offlineDays)).filter((w): w is string => Boolean(w)),
    }));
    showScreen(ctx, applicationsScreen(base(ctx, extra.errors), account, apps, extra.notice), status);
  };
  router.get(path, guard, async (ctx) => {
    // The notice names the application from its registration, never from the address (which anyone can write).
    const retired = typeof ctx.query.retire === 'string' && ctx.query.retire.length <= 200 ? ctx.query.retire : undefined;
    const client = retired && !retired.includes('\u0000') ? await deps.provider().Client.find(retired).catch(() => undefined) : undefined;
    const name = client?.clientName;
    await show(ctx, 200, name ? { notice: tr('account:notice.accessRemoved', { name }) } : {});
  });
  router.post(`${path}/retirer`, guard, async (ctx) => {
    const clientId = text(formBody(ctx), 'client_id') ?? '';
    const account = signedIn(ctx);
    const app = clientId.length <= 200 ? (await deps.grants.list(account.id)).find((a) => a.clientId === clientId) : undefined;
    if (!app) {
      return show(ctx, 400, { errors: [{ field: '', message: tr('account:errors.noAccess') }] });
    }
    await deps.grants.revoke(account.id, app.clientId);
    redirect(ctx, `${path}?retire=${encodeURIComponent(app.clientId)}`);
  });
}

/** The link from the mail: a page with a button first (mail scanners open links; only a person presses it). */
function mountEmailLink(router: Router, deps: AccountRoutesDeps): void {
  const path = `${ACCOUNT_PATH}/courriel/confirmer`;
  const token = (value: unknown) => (typeof value === 'string' ? value : '');
  const status = (kind: string) => (kind === 'invalid' ? 404 : 410);
  router.get(path, async (ctx) => {
    const typed = token(ctx.query.jeton);
    const verdict = await deps.settings.inspectEmailLink(typed);
    if (verdict.kind !== 'valid') return showScreen(ctx, emailLinkScreen(base(ctx), verdict.kind), status(verdict.kind));
    showScreen(ctx, emailLinkScreen(base(ctx), 'confirm', { email: verdict.email, token: typed }));
  });
  router.post(path, async (ctx) => {
    const current = await currentAccount(ctx, deps);
    const confirming = current ? { accountId: current.account.id, sessionId: current.sessionId } : undefined;
    const verdict = await deps.settings.confirmEmailChange(token(formBody(ctx).jeton), confirming);
    if (verdict.kind !== 'valid') return showScreen(ctx, emailLinkScreen(base(ctx), verdict.kind), status(verdict.kind));
    showScreen(ctx, emailLinkScreen(base(ctx), 'confirmed', { email: verdict.email }));
  });
}
