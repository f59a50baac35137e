// What the recovery tests share: a clock that moves only when told (and records the deadlines answers wait for), a
// relying party with a back-channel logout endpoint, accounts with or without a way back, and the steps of
// «Mot de passe oublié» as a person takes them from a relying party's sign-in.
import type { Clock } from '../../src/clock.js';
import { Browser, formAction, inputValue, type Page } from './browser.js';
import { openLoginForm } from './login-form.js';
import { discover, registerClient, type oidc, type TestClient } from './relying-party.js';
import { admin, type TestSesame } from './sesame.js';

export const T0 = Date.UTC(2026, 8, 1, 8, 0, 0);

/** Stands at T0 until `advance`; each wait records how far its deadline lay from now, and returns at once. */
export function steppingClock() {
  const state = { offset: 0, waits: [] as number[] };
  const clock: Clock = {
    now: () => T0 + state.offset,
    async sleepUntil(deadline) {
      state.waits.push(deadline - (T0 + state.offset));
    },
  };
  return { clock, waits: state.waits, advance: (seconds: number) => void (state.offset += seconds * 1000) };
}

/** An HTTP endpoint that keeps the logout tokens relying parties are sent (logout-receiver.ts). */
export { startLogoutReceiver as backchannelReceiver } from './logout-receiver.js';

export async function portalClient(sesame: TestSesame, backchannelOrigin: string): Promise<{ client: TestClient; config: oidc.Configuration }> {
  const client = await registerClient(sesame, { name: 'Portail', backchannel_logout_uri: `${backchannelOrigin}/logout` });
  return { client, config: await discover(sesame, client) };
}

export const PASSWORD = 'Cartable-rouge-2026';
export const NEW_PASSWORD = 'Trousse-verte-et-cahier-9';

let people = 0;
/** An active account; `channel` says how it can be recovered. */
export async function newAccount(
  sesame: TestSesame,
  options: { kind: 'responsable' | 'eleve'; mobile?: string; email?: string; emailVerified?: boolean },
): Promise<{ identifiant: string; sub: string }> {
  people += 1;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const suffix = `${letters[people % 26]}${letters[Math.floor(people / 26) % 26]}`;
  const { status, json } = await admin(sesame, 'POST', '/accounts', {
    kind: options.kind, given_name: 'Claire', family_name: `Moreau${suffix}`, password: PASSWORD,
  });
  if (status !== 201) throw new Error(`account creation failed: ${status} ${JSON.stringify(json)}`);
  await sesame.sesame.db.updateTable('accounts')
    .set({ mobile: options.mobile ?? null, email: options.email ?? null, email_verified: options.emailVerified ?? Boolean(options.email) })
    .where('identifiant', '=', json.identifiant).execute();
  return { identifiant: json.identifiant, sub: json.sub };
}

/** From a relying party's login form to «Mot de passe oublié», in the same browser (the sign-in's interaction kept). */
export async function openRecoveryFromSignIn(sesame: TestSesame, config: oidc.Configuration, client: TestClient, browser = new Browser()) {
  const form = await openLoginForm(sesame, config, client, { browser });
  const href = /href="(\/mot-de-passe-oublie\?interaction=[^"]+)"/.exec(form.html)?.[1]?.replace(/&amp;/g, '&');
  if (!href) throw new Error('no «Mot de passe oublié» link on the login form');
  const page = await browser.request(new URL(href, sesame.issuer).toString());
  return { browser, form, page };
}

/** Posts a form of `page` (found by its action) with its CSRF token and hidden fields, following redirects on Sésame. */
export async function submit(sesame: TestSesame, browser: Browser, page: Page, action: RegExp, fields: Record<string, string>): Promise<Page & { location?: string }> {
  const target = formAction(page.html, action);
  if (!target) throw new Error(`no form ${action} on the page (${page.status}): ${page.html.slice(0, 400)}`);
  const hidden = Object.fromEntries(['_csrf', 'interaction', 'jeton'].map((n) => [n, inputValue(page.html, n)]).filter(([, v]) => v !== undefined));
  return browser.navigate(new URL(target, sesame.issuer).toString(), { form: { ...hidden, ...fields } as Record<string, string> }, sesame.issuer);
}

/** A page with what differs between any two visits removed: CSRF tokens, interaction uids, link tokens. */
export function comparable(html: string): string {
  return html
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"')
    .replace(/\/interaction\/[A-Za-z0-9_-]+/g, '/interaction/UID')
    .replace(/interaction=[A-Za-z0-9_-]+/g, 'interaction=UID')
    .replace(/name="interaction" value="[^"]*"/g, 'name="interaction"');
}

/** The 6-digit code in the latest SMS to `to`. */
export function codeIn(messages: { to: string; body: string }[], to: string): string {
  const body = messages.filter((m) => m.to === to).at(-1)?.body ?? '';
  const code = /code est (\d{6})/.exec(body)?.[1];
  if (!code) throw new Error(`no code sent to ${to.slice(0, 6)}…`);
  return code;
}

/** The recovery link in the latest mail to `to`. */
export function recoveryLinkIn(mails: { to: string[]; text: string }[], to: string): string {
  const text = mails.filter((m) => m.to.includes(to)).at(-1)?.text ?? '';
  const link = /(http:\/\/\S+\/mot-de-passe-oublie\/lien\?jeton=[A-Za-z0-9_%-]+)/.exec(text)?.[1];
  if (!link) throw new Error(`no recovery link mailed to ${to}`);
  return link;
}
