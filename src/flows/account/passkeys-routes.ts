// «Mon compte» → «Mes clés d'accès» (/compte/cles-d-acces): the account's passkeys (name, added, last used), adding
// one (options and verification, called by public/passkeys.js), renaming, and removing after a confirmation page.
// Adding needs scripts (WebAuthn is a browser API); renaming and removing are plain forms.
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Accounts } from '../../accounts/accounts.js';
import type { AuditTrail } from '../../audit/trail.js';
import { AppError, tooManyAttempts } from '../../http/app-error.js';
import { tr } from '../../i18n/request-language.js';
import { jsonEndpoint } from '../../http/json-endpoint.js';
import { registrationResponse, parseCredential } from '../../passkeys/responses.js';
import type { Passkeys } from '../../passkeys/setup.js';
import { MAX_PASSKEYS_PER_ACCOUNT } from '../../passkeys/store.js';
import { formBody, showScreen } from '../common/journey-http.js';
import { text, type FieldError } from '../common/form-input.js';
import { readDeviceCookie } from '../login/device-cookie.js';
import type { AccountSettings } from './account-settings.js';
import type { SignedInAccount } from './guard.js';
import { checkPasskeyName, defaultPasskeyName, passkeyListScreen, removeScreen } from './passkeys-screens.js';

export const PASSKEYS_PATH = '/compte/cles-d-acces';

// ?cle=… after a change → `account:passkeys.notice.<key>`.
const NOTICES: Record<string, string> = { ajoutee: 'added', renommee: 'renamed', supprimee: 'removed' };

// A refused registration → its status and `account:passkeys.errors.<key>`.
const REGISTRATION_REFUSALS: Record<string, { status: number; key: string }> = {
  expired: { status: 400, key: 'expired' },
  invalid: { status: 400, key: 'invalid' },
  duplicate: { status: 409, key: 'duplicate' },
  too_many: { status: 409, key: 'tooMany' },
};
const GONE = () => tr('account:passkeys.errors.gone');

export interface PasskeyRoutesDeps {
  guard: Middleware;
  accounts: Pick<Accounts, 'findById'>;
  /** Undefined when passkeys are off: the page says so, nothing can be added. */
  passkeys: Passkeys | undefined;
  audit: Pick<AuditTrail, 'record'>;
  /** The current password, asked before a key is added (a key outlives a password change). */
  settings: Pick<AccountSettings, 'confirmCurrentPassword' | 'hasPassword' | 'notifyPasskeyAdded'>;
  /** Epoch seconds now (injected in tests). */
  now?: () => number;
}

// An account without a password (opened through the upstream) proves itself by a sign-in this recent instead.
const RECENT_SIGN_IN_SECONDS = 600;

const signedIn = (ctx: Context) => ctx.state.account as SignedInAccount;
const registrationPurpose = (ctx: Context) => `register:${signedIn(ctx).id}:${String(ctx.state.accountSessionId)}`;
const redirect = (ctx: Context, to: string) => {
  ctx.status = 303;
  ctx.redirect(to);
};

export function mountPasskeyRoutes(router: Router, deps: PasskeyRoutesDeps): void {
  const { guard, passkeys } = deps;
  const show = async (ctx: Context, status = 200, errors: FieldError[] = []) => {
    const keys = passkeys ? await passkeys.store.listFor(signedIn(ctx).id) : [];
    const notice = typeof ctx.query.cle === 'string' && Object.hasOwn(NOTICES, ctx.query.cle) ? tr(`account:passkeys.notice.${NOTICES[ctx.query.cle]}`) : undefined;
    const asksPassword = passkeys ? await deps.settings.hasPassword(signedIn(ctx).id) : false;
    showScreen(ctx, passkeyListScreen({ csrf: ctx.state.csrf as string, clientName: null, errors }, signedIn(ctx), keys, { available: Boolean(passkeys), notice, asksPassword }), status);
  };

  router.get(PASSKEYS_PATH, guard, async (ctx) => show(ctx));
  if (!passkeys) return;

  router.post(`${PASSKEYS_PATH}/options`, guard, jsonEndpoint(async (ctx) => {
    // Whoever finds «Mon compte» open on a shared computer must not add a key of their own: a key would outlive
    // even a password change. Accounts without a password (opened through the upstream) have nothing to ask.
    const current = text(formBody(ctx), 'current_password') || undefined;
    const who = { accountId: signedIn(ctx).id, sessionId: String(ctx.state.accountSessionId), address: ctx.ip, deviceCookie: readDeviceCookie(ctx) };
    const refused = await deps.settings.confirmCurrentPassword(who, current);
    if (refused?.kind === 'no_password') {
      const authTime = ctx.state.accountAuthTime as number | undefined;
      const now = deps.now?.() ?? Math.floor(Date.now() / 1000);
      if (!authTime || now - authTime > RECENT_SIGN_IN_SECONDS) {
        throw new AppError('login_required', 403, tr('account:passkeys.errors.signInAgain'), 'no password and no recent sign-in');
      }
    }
    if (refused?.kind === 'limited') throw tooManyAttempts(refused.retryAfterSeconds);
    if (refused?.kind === 'wrong_current') {
      throw current
        ? new AppError('wrong_current_password', 400, tr('account:errors.wrongCurrentPassword'), 'current password wrong')
        : new AppError('current_password_required', 400, tr('account:errors.currentPasswordMissing'), 'current password missing');
    }
    const account = await deps.accounts.findById(signedIn(ctx).id);
    if (!account) throw new AppError('account_signed_out', 403, tr('account:passkeys.errors.signedOut'), 'account not found');
    return passkeys.ceremonies.registrationOptions(registrationPurpose(ctx), {
      id: account.id, identifiant: account.identifiant, displayName: `${account.given_name} ${account.family_name}`,
    });
  }));

  router.post(`${PASSKEYS_PATH}/ajouter`, guard, jsonEndpoint(async (ctx) => {
    const body = formBody(ctx);
    const name = checkPasskeyName(text(body, 'name'), { optional: true });
    if (!name.ok) throw new AppError('invalid_name', 400, name.message, 'passkey name refused');
    const response = parseCredential(registrationResponse, body.credential);
    if (!response) throw new AppError('invalid_request', 400, tr('account:passkeys.errors.unreadable'), 'credential missing or malformed');
    const account = signedIn(ctx);
    const outcome = await passkeys.ceremonies.register(registrationPurpose(ctx), account.id, response, name.value ?? defaultPasskeyName(new Date()));
    if (outcome.kind !== 'registered') {
      const refusal = REGISTRATION_REFUSALS[outcome.kind]!;
      const message = tr(`account:passkeys.errors.${refusal.key}`, { max: MAX_PASSKEYS_PER_ACCOUNT });
      throw new AppError(`passkey_${outcome.kind}`, refusal.status, message, `passkey not registered (${outcome.kind})`);
    }
    deps.audit.record({ kind: 'passkey.registered', outcome: 'success', accountId: account.id, address: ctx.ip, details: { count: 1 } });
    await deps.settings.notifyPasskeyAdded(account.id, outcome.passkey.name);
    return { location: `${PASSKEYS_PATH}?cle=ajoutee` };
  }));

  router.post(`${PASSKEYS_PATH}/renommer`, guard, async (ctx) => {
    const body = formBody(ctx);
    const name = checkPasskeyName(text(body, 'name'));
    if (!name.ok) return show(ctx, 400, [{ field: '', message: name.message }]);
    const renamed = await passkeys.store.rename(signedIn(ctx).id, text(body, 'id') ?? '', name.value!);
    if (!renamed) return show(ctx, 400, [{ field: '', message: GONE() }]);
    redirect(ctx, `${PASSKEYS_PATH}?cle=renommee`);
  });

  router.get(`${PASSKEYS_PATH}/supprimer`, guard, async (ctx) => {
    const id = typeof ctx.query.id === 'string' ? ctx.query.id : '';
    const key = (await passkeys.store.listFor(signedIn(ctx).id)).find((k) => k.id === id);
    if (!key) return redirect(ctx, PASSKEYS_PATH);
    showScreen(ctx, removeScreen({ csrf: ctx.state.csrf as string, clientName: null }, signedIn(ctx), key));
  });

  router.post(`${PASSKEYS_PATH}/supprimer`, guard, async (ctx) => {
    const account = signedIn(ctx);
    const removed = await passkeys.store.remove(account.id, text(formBody(ctx), 'id') ?? '');
    if (!removed) return show(ctx, 400, [{ field: '', message: GONE() }]);
    deps.audit.record({ kind: 'passkey.removed', outcome: 'success', accountId: account.id, address: ctx.ip, details: { count: 1 } });
    redirect(ctx, `${PASSKEYS_PATH}?cle=supprimee`);
  });
}
