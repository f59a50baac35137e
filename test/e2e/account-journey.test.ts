// «Mon compte» over HTTP with a person's cookies: reached through Sésame's own sign-in, its information, the email
// change by link, the password change (other sign-ins end and relying parties are told; this one stays), the
// applications an account allowed and taking their access back, and signing out.
import { Browser, openAccount, postAccountForm } from '../support/account.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, passLogin, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { startLogoutReceiver, type LogoutReceiver } from '../support/logout-receiver.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { inputValue } from '../support/browser.js';
import type { StoreKind } from '../support/databases.js';
import { redisEnv } from '../support/env.js';

const PASSWORD = 'Cartable-rouge-2026';
const NEW_PASSWORD = 'Trousse-verte-2027';

// The embedded store, and PostgreSQL with the sessions, grants, account index and counters in Redis.
const MODES: [string, StoreKind, () => Record<string, string>][] = [
  ['embedded', 'embedded', () => ({})],
  ['postgres+redis', 'postgres', redisEnv],
];

describe.each(MODES)('«Mon compte» (%s)', (_mode, store, extraEnv) => {
  let sesame: TestSesame;
  let smtp: TestSmtpServer;
  let backchannel: LogoutReceiver;
  let portal: TestClient;
  let portalConfig: oidc.Configuration;
  let thirdParty: TestClient;
  let thirdPartyConfig: oidc.Configuration;
  let logoutTokens: string[] = [];
  let people = 0;

  beforeAll(async () => {
    backchannel = await startLogoutReceiver();
    logoutTokens = backchannel.tokens;
    smtp = await startSmtpServer();
    sesame = await startTestSesame(store, { BACKCHANNEL_ALLOWED_ORIGINS: `${backchannel.origin}`, SMTP_URL: smtp.url, MAIL_TIMEOUT_MS: '2000', ...extraEnv() });
    portal = await registerClient(sesame, { name: 'Portail', backchannel_logout_uri: `${backchannel.origin}/portail/logout` });
    portalConfig = await discover(sesame, portal);
    thirdParty = await registerClient(sesame, { name: 'Cahier de textes', first_party: false });
    thirdPartyConfig = await discover(sesame, thirdParty);
  });

  afterAll(async () => {
    await sesame?.shutdown();
    await smtp?.close();
    backchannel?.close();
  });

  async function newPerson(extra: Record<string, unknown> = {}) {
    people += 1;
    const email = `claire${people}@exemple.fr`;
    const { json } = await admin(sesame, 'POST', '/accounts', {
      kind: 'responsable', given_name: 'Claire', family_name: `Moreau${'x'.repeat(people)}`, password: PASSWORD, email, ...extra,
    });
    await sesame.sesame.db.updateTable('accounts').set({ email_verified: true, mobile: '+33612345678' }).where('id', '=', json.sub).execute();
    return { identifiant: json.identifiant as string, sub: json.sub as string, email };
  }

  const row = (id: string) => sesame.sesame.db.selectFrom('accounts').select(['email', 'email_verified', 'state']).where('id', '=', id).executeTakeFirstOrThrow();

  async function passwordSignsIn(identifiant: string, password: string): Promise<boolean> {
    const form = await openLoginForm(sesame, portalConfig, portal);
    const after = await postLogin(sesame, form, { username: identifiant, password });
    return after.location?.startsWith(portal.redirect_uris[0]!) ?? false;
  }

  test('/compte goes through the sign-in and comes back; the page shows the account, the mobile masked', async () => {
    const { identifiant, email } = await newPerson();
    const browser = new Browser();
    const first = await browser.request(`${sesame.issuer}/compte`);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toMatch(/^\/auth\?client_id=sesame-compte&/);

    expect(await passwordSignsIn(identifiant, 'pas-le-bon-mot-de-passe')).toBe(false);
    const page = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD });
    expect(page.url).toBe(`${sesame.issuer}/compte`);
    const text = expectFrenchPage(page, 200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(text).toContain('Mes informations');
    expect(text).toContain(identifiant);
    expect(text).toContain(email);
    expect(text).toContain('06 ** ** ** 78');
    expect(text).not.toContain('12345678');
    expect(text).toMatch(/demandez-le au secrétariat de l’établissement/);
    expect(page.html).toMatch(/<a href="\/compte" aria-current="page">Mes informations/);
    expect(page.html).toContain('href="/compte/enfants"');
    expect(page.html).toContain('href="/session/end"');
    // «Mes dernières connexions»: the sign-in that just opened the page, and a stranger's failed try before it.
    expect(text).toMatch(/Mes dernières connexions .* \d{1,2} \p{L}+ \d{4} à \d\d:\d\d – Sésame – Connexion réussie \d{1,2} \p{L}+ \d{4} à \d\d:\d\d – Portail – Échec : mot de passe incorrect/u);

    // A deep link comes back to where it was asked for.
    const fresh = new Browser();
    const deep = await openAccount(sesame, fresh, { username: identifiant, password: PASSWORD }, '/compte/mot-de-passe');
    expect(deep.url).toBe(`${sesame.issuer}/compte/mot-de-passe`);
    expect(deep.html).toMatch(/aria-current="page">Changer mon mot de passe/);
  });

  test('a pupil sees no «Mes enfants»; a disabled account keeps no access', async () => {
    const pupil = await newPerson({ kind: 'eleve' });
    const browser = new Browser();
    const page = await openAccount(sesame, browser, { username: pupil.identifiant, password: PASSWORD }, '/compte/mot-de-passe');
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('/compte/enfants');

    await sesame.sesame.db.updateTable('accounts').set({ state: 'disabled' }).where('id', '=', pupil.sub).execute();
    const after = await browser.request(`${sesame.issuer}/compte`);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/auth\?/);
    const posted = await browser.request(`${sesame.issuer}/compte/mot-de-passe`, { form: { _csrf: inputValue(page.html, '_csrf')!, current_password: PASSWORD, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD } });
    expect(expectFrenchPage(posted, 403)).toMatch(/Vous n’êtes plus connecté/);
  });

  test('the callback refuses a foreign state or code', async () => {
    const browser = new Browser();
    const page = await browser.request(`${sesame.issuer}/compte/connexion?code=abc&state=xyz`);
    expect(expectFrenchPage(page, 400)).toMatch(/Cette page a expiré/);
  });

  test('email change: needs the current password; the old address stays until the link is followed', async () => {
    const { identifiant, sub, email } = await newPerson();
    const elsewhere = await signIn(sesame, portalConfig, portal, { username: identifiant, password: PASSWORD });
    const browser = new Browser();
    const form = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/courriel');
    expect(form.status).toBe(200);
    const newEmail = `nouvelle${people}@exemple.fr`;

    const wrong = await postAccountForm(sesame, browser, form, '/compte/courriel', { email: newEmail, current_password: 'pas-le-bon' });
    expect(expectFrenchPage(wrong, 400)).toMatch(/n’est pas votre mot de passe actuel/);
    expect(smtp.mails.filter((m) => m.to.includes(newEmail))).toHaveLength(0);

    const sent = await postAccountForm(sesame, browser, form, '/compte/courriel', { email: newEmail, current_password: PASSWORD });
    expect(sent.url).toBe(`${sesame.issuer}/compte?courriel=envoye`);
    expect(visibleText(sent.html)).toContain(`lien de confirmation à ${newEmail}`);
    expect(await row(sub)).toMatchObject({ email, email_verified: true });
    // Asked is not changed: the other device still works.
    const stillThere = await oidc.refreshTokenGrant(portalConfig, elsewhere.tokens.refresh_token!);

    const mail = smtp.mails.filter((m) => m.to.includes(newEmail)).at(-1)!;
    expect(mail.subject).toBe('Confirmez votre nouvelle adresse électronique');
    const link = /(http:\/\/\S+\/compte\/courriel\/confirmer\?jeton=[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    // Opening the link (a mail scanner) changes nothing; the button does.
    const opened = await browser.navigate(link);
    expect(visibleText(opened.html)).toContain(newEmail);
    expect((await row(sub)).email).toBe(email);
    const confirmed = await postAccountForm(sesame, browser, opened, '/compte/courriel/confirmer', { jeton: new URL(link).searchParams.get('jeton')! });
    expect(expectFrenchPage(confirmed, 200)).toContain('Votre adresse électronique est changée');
    expect(await row(sub)).toMatchObject({ email: newEmail, email_verified: true });
    // Changed: the other device's sign-in ended.
    await expect(oidc.refreshTokenGrant(portalConfig, stillThere.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The previous address is told; the link works once; this browser is still in «Mon compte».
    expect(smtp.mails.filter((m) => m.to.includes(email)).at(-1)!.subject).toMatch(/L’adresse électronique de votre compte Sésame a changé/);
    const again = await postAccountForm(sesame, browser, opened, '/compte/courriel/confirmer', { jeton: new URL(link).searchParams.get('jeton')! });
    expect(again.status).toBe(410);
    expect((await browser.request(`${sesame.issuer}/compte`)).status).toBe(200);
  });

  test('password change: a wrong current password is refused and counted; the new one works, the old one not; other sign-ins end, this one stays', async () => {
    const { identifiant, sub, email } = await newPerson();
    // Another device, signed in at the portal with a refresh token.
    const other = await signIn(sesame, portalConfig, portal, { username: identifiant, password: PASSWORD });
    // This browser: the portal too, then «Mon compte».
    const browser = new Browser();
    const here = await signIn(sesame, portalConfig, portal, { username: identifiant, password: PASSWORD }, { browser });
    const form = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/mot-de-passe');
    expect(form.url).toBe(`${sesame.issuer}/compte/mot-de-passe`);

    const wrong = await postAccountForm(sesame, browser, form, '/compte/mot-de-passe', { current_password: 'pas-le-bon', password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
    expect(expectFrenchPage(wrong, 400)).toMatch(/n’est pas votre mot de passe actuel/);
    expect(wrong.html).toMatch(/aria-describedby="current_password-error"/);

    logoutTokens.length = 0;
    const done = await postAccountForm(sesame, browser, form, '/compte/mot-de-passe', { current_password: PASSWORD, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
    expect(done.url).toBe(`${sesame.issuer}/compte/mot-de-passe?change=ok`);
    expect(visibleText(done.html)).toContain('Votre mot de passe est changé');

    // The other device's refresh token is dead and the portal was told about that session; this browser's are alive.
    await expect(oidc.refreshTokenGrant(portalConfig, other.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(portalConfig, here.tokens.refresh_token!)).resolves.toHaveProperty('access_token');
    expect(logoutTokens).toHaveLength(1);
    const payload = JSON.parse(Buffer.from(logoutTokens[0]!.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ sub, sid: other.tokens.claims()!.sid });
    expect((await browser.request(`${sesame.issuer}/compte`)).status).toBe(200);
    expect(smtp.mails.filter((m) => m.to.includes(email)).at(-1)!.subject).toBe('Votre mot de passe Sésame a été changé');

    expect(await passwordSignsIn(identifiant, PASSWORD)).toBe(false);
    expect(await passwordSignsIn(identifiant, NEW_PASSWORD)).toBe(true);
  });

  test('the current password is throttled like a sign-in', async () => {
    const { identifiant } = await newPerson();
    const browser = new Browser();
    const form = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/mot-de-passe');
    const max = sesame.config.login.maxFailures;
    let last = form;
    for (let i = 0; i <= max; i += 1) {
      last = await postAccountForm(sesame, browser, form, '/compte/mot-de-passe', { current_password: `faux-${i}`, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
    }
    expect(expectFrenchPage(last, 429)).toMatch(/Trop de tentatives/);
    expect(last.headers.get('retry-after')).toMatch(/^\d+$/);
    // Even the right password waits now: the limit is the sign-in's.
    const blocked = await postAccountForm(sesame, browser, form, '/compte/mot-de-passe', { current_password: PASSWORD, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
    expect(blocked.status).toBe(429);
  });

  test('applications: listed after a consent; «Retirer l’accès» kills its refresh token and brings the consent back', async () => {
    const { identifiant } = await newPerson();
    const browser = new Browser();
    const start = await startAuthorization(thirdPartyConfig, thirdParty, 'openid profile email offline_access');
    const { callback } = await passLogin(browser, sesame, start, { username: identifiant, password: PASSWORD });
    const tokens = await oidc.authorizationCodeGrant(thirdPartyConfig, callback!, { pkceCodeVerifier: start.verifier, expectedState: start.state });
    expect(tokens.refresh_token).toBeDefined();

    const list = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/applications');
    const text = expectFrenchPage(list, 200);
    expect(text).toContain('Cahier de textes');
    expect(text).toContain('votre adresse électronique');
    expect(text).not.toContain('Mon compte Mon compte');

    const unknown = await postAccountForm(sesame, browser, list, '/compte/applications/retirer', { client_id: 'sesame-compte' });
    expect(expectFrenchPage(unknown, 400)).toMatch(/n’a pas d’accès à votre compte/);

    const removed = await postAccountForm(sesame, browser, list, '/compte/applications/retirer', { client_id: thirdParty.client_id });
    expect(visibleText(removed.html)).toContain('Vous avez retiré l’accès à Cahier de textes');
    expect(visibleText(removed.html)).toContain('Aucune application');
    await expect(oidc.refreshTokenGrant(thirdPartyConfig, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // The next sign-in there asks again, even in this still-signed-in browser.
    const next = await startAuthorization(thirdPartyConfig, thirdParty, 'openid profile email');
    const page = await browser.navigate(next.url.toString(), {}, sesame.issuer);
    expect(page.location).toBeUndefined();
    expect(page.html).toMatch(/\/consent"/);
  });

  test('«Se déconnecter» leads to the logout confirmation; after it «Mon compte» asks to sign in again', async () => {
    const { identifiant } = await newPerson();
    const browser = new Browser();
    const page = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD });
    expect(page.html).toContain('<a href="/session/end">Se déconnecter</a>');
    const confirm = await browser.navigate(`${sesame.issuer}/session/end`, {}, sesame.issuer);
    expect(visibleText(confirm.html)).toMatch(/Voulez-vous vous déconnecter/);
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.html)![1]!.replace(/&amp;/g, '&');
    const fields = Object.fromEntries([...confirm.html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const out = await browser.navigate(new URL(action, sesame.issuer).toString(), { form: { ...fields, logout: 'yes' } }, sesame.issuer);
    expect(visibleText(out.html)).toMatch(/Vous n’êtes plus connecté/);
    const after = await browser.request(`${sesame.issuer}/compte`);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/auth\?/);
  });
});
