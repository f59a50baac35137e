// Screens that must tell the truth: the logout pages say signed out only when the session really ended, every
// logout page is ours and asks first, and a consent given to a third-party application is remembered per account
// (a new browser does not ask again; more scopes ask only for the new ones), on a screen naming account and app.
import { Browser, formAction, inputValue, type Page } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { redisEnv } from '../support/env.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import type { StoreKind } from '../support/databases.js';

const PASSWORD = 'Cartable-rouge-2026';
const SIGNED_OUT = 'Vous n’êtes plus connecté à Sésame ni aux services ouverts avec Sésame.';
const SETUPS: [string, StoreKind, () => Record<string, string>][] = [
  ...STORES.map((s): [string, StoreKind, () => Record<string, string>] => [s, s, () => ({})]),
  ['postgres+redis', 'postgres', redisEnv],
];

describe.each(SETUPS)('logout pages and remembered consent (%s)', (_label, store, env) => {
  let sesame: TestSesame;
  let portal: TestClient;
  let portalConfig: oidc.Configuration;
  let thirdParty: TestClient;
  let thirdConfig: oidc.Configuration;
  let identifiant: string;

  beforeAll(async () => {
    // Ten days, not the default fourteen: the consent page must say what the setting says.
    sesame = await startTestSesame(store, { ...env(), REFRESH_TOKEN_TTL: String(10 * 24 * 3600) });
    portal = await registerClient(sesame, { name: 'Portail' });
    portalConfig = await discover(sesame, portal);
    thirdParty = await registerClient(sesame, { name: 'Cantine Plus', first_party: false, scope: 'openid profile email scolarite ine offline_access' });
    thirdConfig = await discover(sesame, thirdParty);
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant;
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  const credentials = () => ({ username: identifiant, password: PASSWORD });

  /** Whether a new authorization request in this browser comes back with a code without any login. */
  async function signedInAgain(browser: Browser): Promise<boolean> {
    const start = await startAuthorization(portalConfig, portal, 'openid', { prompt: null });
    const page = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    return Boolean(page.location && new URL(page.location).searchParams.get('code'));
  }

  /** Presses «Rester connecté» as a browser would: follows it when it is a link, submits it when it is a button. */
  async function pressStay(browser: Browser, confirm: Page): Promise<Page & { location?: string }> {
    const link = /<a[^>]*href="([^"]+)"[^>]*>Rester connecté<\/a>/.exec(confirm.html);
    if (link) return browser.navigate(new URL(link[1]!.replace(/&amp;/g, '&'), sesame.issuer).toString(), {}, sesame.issuer);
    const action = new URL(formAction(confirm.html, /session\/end\/confirm/)!, sesame.issuer).toString();
    return browser.navigate(action, { form: { xsrf: inputValue(confirm.html, 'xsrf')! } }, sesame.issuer);
  }

  async function pressLogout(browser: Browser, confirm: Page): Promise<Page & { location?: string }> {
    const action = new URL(formAction(confirm.html, /session\/end\/confirm/)!, sesame.issuer).toString();
    return browser.navigate(action, { form: { xsrf: inputValue(confirm.html, 'xsrf')!, logout: 'yes' } }, sesame.issuer);
  }

  test('«Rester connecté» says «Vous êtes toujours connecté», and the session really is still alive', async () => {
    const { browser } = await signIn(sesame, portalConfig, portal, credentials(), { scope: 'openid' });
    const confirm = await browser.request(`${sesame.issuer}/session/end`);
    expect(expectFrenchPage(confirm, 200)).toContain('Voulez-vous vous déconnecter ?');
    const stay = await pressStay(browser, confirm);
    const text = expectFrenchPage(stay, 200);
    expect(text).toContain('Vous êtes toujours connecté');
    expect(text).not.toMatch(/Vous êtes déconnecté|plus connecté/);
    // The way back without an application's hint is our home page.
    expect(stay.html).toMatch(/<a[^>]*href="\/"[^>]*>/);
    expect(await signedInAgain(browser)).toBe(true);
  });

  test('«Rester connecté» after an application’s logout request leads back to its post_logout_redirect_uri', async () => {
    const { browser, tokens } = await signIn(sesame, portalConfig, portal, credentials(), { scope: 'openid' });
    const hint = new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/', state: 'retour-42' });
    const confirm = await browser.request(`${sesame.issuer}/session/end?${hint}`);
    const stay = await pressStay(browser, confirm);
    expect(expectFrenchPage(stay, 200)).toContain('Retourner à Portail');
    expect(stay.html).toContain('href="http://127.0.0.1:9/?state=retour-42"');
    expect(await signedInAgain(browser)).toBe(true);
  });

  test('the signed-out page is never shown to someone still signed in', async () => {
    const { browser } = await signIn(sesame, portalConfig, portal, credentials(), { scope: 'openid' });
    const page = await browser.request(`${sesame.issuer}/session/end/success`);
    const text = expectFrenchPage(page, 200);
    expect(text).toContain('Vous êtes toujours connecté');
    expect(text).not.toContain(SIGNED_OUT);
  });

  test('confirming the logout shows the signed-out page, and the next sign-in asks for a login', async () => {
    const { browser } = await signIn(sesame, portalConfig, portal, credentials(), { scope: 'openid' });
    const confirm = await browser.request(`${sesame.issuer}/session/end`);
    const done = await pressLogout(browser, confirm);
    expect(expectFrenchPage(done, 200)).toContain(SIGNED_OUT);
    expect(await signedInAgain(browser)).toBe(false);
  });

  test('the logout address opened without a session shows our French page, asks first, and signs out only then', async () => {
    const browser = new Browser();
    const confirm = await browser.request(`${sesame.issuer}/session/end`);
    const text = expectFrenchPage(confirm, 200);
    expect(confirm.html).not.toMatch(/Submitting Callback|does not support JavaScript|<script>/);
    expect(text).toContain('Déconnexion');
    expect(text).toContain('Vous n’êtes pas connecté à Sésame.');
    expect(confirm.headers.get('content-security-policy')).not.toContain('sha256-');
    const done = await pressLogout(browser, confirm);
    expect(expectFrenchPage(done, 200)).toContain(SIGNED_OUT);
  });

  test('a consent given once is remembered in a new browser; more scopes ask only for the new ones', async () => {
    const first = await openLoginForm(sesame, thirdConfig, thirdParty, { scope: 'openid profile' });
    const consent = await postLogin(sesame, first, credentials());
    expect(consent.url).toMatch(/\/consent$/);
    const action = new URL(formAction(consent.html, /\/consent$/)!, sesame.issuer).toString();
    const granted = await first.browser.navigate(action, { form: { _csrf: inputValue(consent.html, '_csrf')!, decision: 'allow' } }, sesame.issuer);
    expect(new URL(granted.location!).searchParams.get('code')).toBeTruthy();

    // Another browser, same account and application: straight back with a code that works.
    const second = await openLoginForm(sesame, thirdConfig, thirdParty, { scope: 'openid profile' });
    const back = await postLogin(sesame, second, credentials());
    expect(back.location).toBeDefined();
    const tokens = await oidc.authorizationCodeGrant(thirdConfig, new URL(back.location!), { pkceCodeVerifier: second.start.verifier, expectedState: second.start.state });
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile']));

    const wider = await openLoginForm(sesame, thirdConfig, thirdParty, { scope: 'openid profile email' });
    const asked = await postLogin(sesame, wider, credentials());
    expect(asked.url).toMatch(/\/consent$/);
    const text = visibleText(asked.html);
    expect(text).toContain('votre adresse électronique');
    expect(text).not.toContain('vos nom et prénom');
  });

  test('a revoking reset forgets the consents: whoever held the old password may have given them', async () => {
    const owner = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Marc', family_name: 'Colin', password: PASSWORD })).json.identifiant;
    const open = () => openLoginForm(sesame, thirdConfig, thirdParty, { scope: 'openid profile' });
    const first = await open();
    const consent = await postLogin(sesame, first, { username: owner, password: PASSWORD });
    expect(consent.url).toMatch(/\/consent$/);
    const action = new URL(formAction(consent.html, /\/consent$/)!, sesame.issuer).toString();
    await first.browser.navigate(action, { form: { _csrf: inputValue(consent.html, '_csrf')!, decision: 'allow' } }, sesame.issuer);
    expect((await postLogin(sesame, await open(), { username: owner, password: PASSWORD })).location).toBeDefined();

    expect((await admin(sesame, 'POST', `/accounts/${owner}/reset-password`, { revoke: true })).json).toMatchObject({ revoked: true, sessions_ended: true });
    // The owner takes the account back (here directly; in life through the letter) and is asked again.
    const accountId = (await sesame.sesame.accounts.findByIdentifiant(owner))!.id;
    await sesame.sesame.accounts.setPassword(accountId, PASSWORD);
    await sesame.sesame.db.updateTable('accounts').set({ state: 'active' }).where('id', '=', accountId).execute();
    expect((await postLogin(sesame, await open(), { username: owner, password: PASSWORD })).url).toMatch(/\/consent$/);
  });

  test('the consent page names the account and the application, and lists only what a parent has', async () => {
    const form = await openLoginForm(sesame, thirdConfig, thirdParty, { scope: 'openid profile scolarite ine offline_access' });
    const page = await postLogin(sesame, form, credentials());
    const text = expectFrenchPage(page, 200);
    expect(page.html).toMatch(/<h1[^>]*>Cantine Plus souhaite accéder à vos informations<\/h1>/);
    expect(text).toContain(`Vous êtes connecté avec le compte ${identifiant}`);
    expect(text).toContain('la liste de vos enfants, leur établissement et leur classe');
    expect(text).not.toMatch(/INE|identifiant national/);
    expect(text).toContain('même quand vous n’êtes pas connecté, pendant 10 jours au plus');
    const action = new URL(formAction(page.html, /\/consent$/)!, sesame.issuer).toString();
    await form.browser.navigate(action, { form: { _csrf: inputValue(page.html, '_csrf')!, decision: 'allow' } }, sesame.issuer);

    // Asked again on purpose (offline_access needs prompt=consent): the page still says what the access covers.
    const again = await openLoginForm(sesame, thirdConfig, thirdParty, { scope: 'openid scolarite offline_access' });
    const repeated = expectFrenchPage(await postLogin(sesame, again, credentials()), 200);
    expect(repeated).toContain('la liste de vos enfants, leur établissement et leur classe');
    expect(repeated).toContain('pendant 10 jours au plus');
  });
});
