// Who is using «Mon compte»: the person signed in to Sésame in this browser, read from oidc-provider's own session
// at every request (docs/account.md explains why no cookie of ours copies it). Signed out — by /session/end, by
// the end of the session, by a password change elsewhere — or disabled, and «Mon compte» is closed at once.
import { createHash, randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { SIGN_IN_STATES, type Accounts } from '../../accounts/accounts.js';
import { AppError } from '../../http/app-error.js';
import type { AccountKind } from '../../store/schema.js';
import { ACCOUNT_CLIENT_ID, ACCOUNT_PATH, CALLBACK_PATH } from './client.js';
import { tr } from '../../i18n/request-language.js';

/** What the guard puts on `ctx.state.account` for the routes behind it. */
export interface SignedInAccount {
  id: string;
  kind: AccountKind;
}

export interface AccountGuardDeps {
  provider: () => Provider;
  accounts: Accounts;
  issuer: string;
  https: boolean;
}

/** The sign-in under way: what the callback checks (state, PKCE verifier) and where it goes back to. */
export const PENDING_COOKIE = 'sesame.compte';
const PENDING_SECONDS = 3600;

export interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
}

/** A path of «Mon compte» to come back to; anything else (another site, a protocol path) is /compte. */
export function safeReturnPath(path: string): string {
  return /^\/compte(\/[a-z-]*)*$/.test(path) && !path.startsWith(CALLBACK_PATH) ? path : ACCOUNT_PATH;
}

export function readPending(ctx: Context): PendingSignIn | undefined {
  const raw = ctx.cookies.get(PENDING_COOKIE, { signed: true });
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
    if (typeof value.state !== 'string' || typeof value.verifier !== 'string' || typeof value.returnTo !== 'string') return undefined;
    return { state: value.state, verifier: value.verifier, returnTo: safeReturnPath(value.returnTo) };
  } catch {
    return undefined;
  }
}

export function clearPending(ctx: Context, https: boolean): void {
  ctx.cookies.set(PENDING_COOKIE, null, { signed: true, httpOnly: true, sameSite: 'lax', secure: https, overwrite: true });
}

export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** Sends the browser through Sésame's own sign-in (authorization code + PKCE), to come back to `returnTo`. */
export function startSignIn(ctx: Context, deps: Pick<AccountGuardDeps, 'issuer' | 'https'>, returnTo: string): void {
  const pending: PendingSignIn = { state: randomBytes(16).toString('base64url'), verifier: randomBytes(32).toString('base64url'), returnTo: safeReturnPath(returnTo) };
  ctx.cookies.set(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
    signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true, maxAge: PENDING_SECONDS * 1000,
  });
  const params = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${deps.issuer}${CALLBACK_PATH}`,
    state: pending.state,
    code_challenge: s256(pending.verifier),
    code_challenge_method: 'S256',
  });
  ctx.set('Cache-Control', 'no-store');
  ctx.status = 303;
  ctx.redirect(`/auth?${params.toString()}`);
}

export const signedOut = () =>
  new AppError('account_signed_out', 403, tr('account:errors.signedOut'), 'not signed in');

/** The account signed in to Sésame in this browser, with the provider's session id; undefined when none may use «Mon compte». */
export async function currentAccount(ctx: Context, deps: Pick<AccountGuardDeps, 'provider' | 'accounts'>): Promise<{ account: SignedInAccount; sessionId: string; authTime: number | undefined } | undefined> {
  const session = await deps.provider().Session.get(ctx);
  if (!session.accountId) return undefined;
  const account = await deps.accounts.findById(session.accountId);
  // A disabled account (or one put back to «notifié» by a revoking reset) keeps no access, whatever its session.
  if (!account || !SIGN_IN_STATES.has(account.state)) return undefined;
  return { account: { id: account.id, kind: account.kind }, sessionId: session.jti, authTime: session.authTime() };
}

/**
 * For a signed-in account: `ctx.state.account` ({ id, kind }) and `ctx.state.accountSessionId`, then the route.
 * Otherwise a page asked for (GET) goes through the sign-in and comes back; a form posted gets a 403 page.
 */
export function createAccountGuard(deps: AccountGuardDeps): Koa.Middleware {
  return async function accountGuard(ctx, next) {
    ctx.set('Cache-Control', 'no-store');
    const current = await currentAccount(ctx, deps);
    if (!current) {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') return startSignIn(ctx, deps, ctx.path);
      throw signedOut();
    }
    ctx.state.account = current.account;
    ctx.state.accountSessionId = current.sessionId;
    /** When the person signed in (epoch seconds), for what needs a recent sign-in. */
    ctx.state.accountAuthTime = current.authTime;
    await next();
  };
}
