// Opens the login form of a live sign-in (authorization URL → profile → form) and posts whatever a test wants to
// it, so tests about the form itself (bad input, throttling, CSRF) need not repeat the walk.
import { Browser, formAction, inputValue, type Page } from './browser.js';
import { startAuthorization, type AuthorizationStart, type TestClient } from './relying-party.js';
import type { TestSesame } from './sesame.js';
import type * as oidc from 'openid-client';

export interface LoginForm {
  browser: Browser;
  start: AuthorizationStart;
  /** Absolute URL the form posts to (/interaction/:uid/login). */
  action: string;
  uid: string;
  csrf: string;
  html: string;
}

export async function openLoginForm(
  sesame: TestSesame,
  config: oidc.Configuration,
  client: TestClient,
  options: { browser?: Browser; scope?: string; profil?: 'responsable' | 'eleve' } = {},
): Promise<LoginForm> {
  const browser = options.browser ?? new Browser();
  const start = await startAuthorization(config, client, options.scope ?? 'openid');
  const first = await browser.navigate(start.url.toString(), {}, sesame.issuer);
  if (first.location) throw new Error(`no login form: the browser went straight to ${first.location}`);
  const form = await browser.request(`${first.url}?profil=${options.profil ?? 'responsable'}`);
  const action = formAction(form.html, /\/login$/);
  const csrf = inputValue(form.html, '_csrf');
  if (!action || !csrf) throw new Error(`no login form on ${first.url} (${form.status})`);
  return { browser, start, action: new URL(action, sesame.issuer).toString(), uid: /\/interaction\/([^/]+)\/login$/.exec(action)![1]!, csrf, html: form.html };
}

/**
 * Posts the login form with `fields` (the CSRF token and profile are added unless given) and follows redirects
 * while they stay on Sésame; `location` is set when the browser was sent to the relying party.
 */
export function postLogin(sesame: TestSesame, form: LoginForm, fields: Record<string, string>): Promise<Page & { location?: string }> {
  return form.browser.navigate(form.action, { form: { _csrf: form.csrf, profil: 'responsable', ...fields } }, sesame.issuer);
}
