// The pages a person meets around a sign-in: consent for third-party applications, «page expirée», the provider's
// own errors in our French frame, CSRF refusals, security headers everywhere, and the health endpoints.
import { Browser, formAction, inputValue } from '../support/browser.js';
import { STORES, createTestDatabase } from '../support/databases.js';
import { call, expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
// Words SCREENS.md keeps away from what a person reads.
const JARGON = /\b(client|token|jeton|scope|OIDC|OpenID|interaction|session|grant)\b/i;

function expectSecurityHeaders(headers: Headers): void {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('same-origin');
}

describe.each(STORES)('consent and other pages (%s store)', (store) => {
  let sesame: TestSesame;
  let thirdParty: TestClient;
  let thirdConfig: oidc.Configuration;
  let firstParty: TestClient;
  let firstConfig: oidc.Configuration;
  let identifiant: string;

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    thirdParty = await registerClient(sesame, { name: 'Cantine Plus', first_party: false, scope: 'openid profile email scolarite' });
    thirdConfig = await discover(sesame, thirdParty);
    firstParty = await registerClient(sesame, { name: 'Pronote' });
    firstConfig = await discover(sesame, firstParty);
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD });
    identifiant = created.json.identifiant;
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  /**
   * Signs in to the third-party client and stops on the consent page; with a new account each time, since a
   * consent given is remembered for the account (logout-and-consent-memory.test.ts).
   */
  async function reachConsent(browser = new Browser()) {
    const fresh = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD });
    const form = await openLoginForm(sesame, thirdConfig, thirdParty, { browser, scope: 'openid profile email scolarite' });
    const page = await postLogin(sesame, form, { username: fresh.json.identifiant, password: PASSWORD });
    expect(page.location).toBeUndefined();
    return { form, page };
  }

  test('a third-party application gets a French consent page listing what it asks, in plain words', async () => {
    const { page } = await reachConsent();
    const text = expectFrenchPage(page, 200);
    expect(page.url).toMatch(/\/interaction\/[^/]+\/consent$/);
    expect(text).toContain('Si vous l’autorisez, Cantine Plus recevra :');
    expect(text).toContain('vos nom et prénom');
    expect(text).toContain('votre adresse électronique');
    expect(text).toContain('la liste de vos enfants, leur établissement et leur classe');
    expect(page.html).toMatch(/<button[^>]*value="allow"[^>]*>Autoriser<\/button>/);
    expect(page.html).toMatch(/<button[^>]*value="deny"[^>]*>Refuser<\/button>/);
    expect(page.html).toMatch(/<title>[^<]+<\/title>/);
    expect(page.html.match(/<h1/g)).toHaveLength(1);
    expect(text).not.toMatch(JARGON);
  });

  test('after the password, the provider sends the browser straight to the consent screen, not through a redirect', async () => {
    const fresh = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD });
    const form = await openLoginForm(sesame, thirdConfig, thirdParty, { scope: 'openid profile' });
    const posted = await form.browser.request(form.action, { form: { _csrf: form.csrf, profil: 'responsable', username: fresh.json.identifiant, password: PASSWORD } });
    const resume = await form.browser.request(new URL(posted.headers.get('location')!, sesame.issuer).toString());
    // The consent prompt is an interaction of its own (a new uid).
    const consent = /^\/interaction\/([^/]+)\/consent$/.exec(resume.headers.get('location') ?? '');
    expect(consent).not.toBeNull();
    // The provider's interaction cookie is scoped to that address (the test browser keeps cookie paths as a real one
    // does): the page and its form's POST receive it.
    const page = await form.browser.request(`${sesame.issuer}${consent![0]}`);
    expect(expectFrenchPage(page, 200)).toContain('Si vous l’autorisez, Cantine Plus recevra :');
  });

  test('«Autoriser» completes the sign-in at the relying party', async () => {
    const { form, page } = await reachConsent();
    const action = new URL(formAction(page.html, /\/consent$/)!, sesame.issuer).toString();
    const done = await form.browser.navigate(action, { form: { _csrf: inputValue(page.html, '_csrf')!, decision: 'allow' } }, sesame.issuer);
    const callback = new URL(done.location!);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tokens = await oidc.authorizationCodeGrant(thirdConfig, callback, { pkceCodeVerifier: form.start.verifier, expectedState: form.start.state });
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'scolarite']));
  });

  test('«Refuser» sends access_denied back to the relying party and no code', async () => {
    const { form, page } = await reachConsent();
    const action = new URL(formAction(page.html, /\/consent$/)!, sesame.issuer).toString();
    const done = await form.browser.navigate(action, { form: { _csrf: inputValue(page.html, '_csrf')!, decision: 'deny' } }, sesame.issuer);
    const callback = new URL(done.location!);
    expect(callback.origin + callback.pathname).toBe(thirdParty.redirect_uris[0]);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(form.start.state);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  test('a consent POST without the right CSRF token changes nothing', async () => {
    const { form, page } = await reachConsent();
    const action = new URL(formAction(page.html, /\/consent$/)!, sesame.issuer).toString();
    const forged = await form.browser.navigate(action, { form: { _csrf: 'x'.repeat(43), decision: 'allow' } }, sesame.issuer);
    expect(forged.location).toBeUndefined();
    expect(expectFrenchPage(forged, 403)).toContain('Cette page a expiré');
    // The real page still works afterwards.
    const done = await form.browser.navigate(action, { form: { _csrf: inputValue(page.html, '_csrf')!, decision: 'allow' } }, sesame.issuer);
    expect(new URL(done.location!).searchParams.get('code')).toBeTruthy();
  });

  test('a first-party application skips consent', async () => {
    const form = await openLoginForm(sesame, firstConfig, firstParty, { scope: 'openid profile email' });
    const done = await postLogin(sesame, form, { username: identifiant, password: PASSWORD });
    expect(new URL(done.location!).searchParams.get('code')).toBeTruthy();
  });

  test('an unknown interaction shows «Cette page a expiré» in French with a way back, not JSON', async () => {
    const page = await new Browser().request(`${sesame.issuer}/interaction/nope`);
    const text = expectFrenchPage(page, 400);
    expect(text).toContain('Cette page a expiré. Retournez sur le site que vous vouliez utiliser et reconnectez-vous.');
    expect(page.html).toMatch(/<a [^>]*href="\/"/);
    const consent = await new Browser().request(`${sesame.issuer}/interaction/nope/consent`);
    expect(expectFrenchPage(consent, 400)).toContain('Cette page a expiré');
  });

  test('a real interaction opened without its cookie (cleared, other browser) shows the same page', async () => {
    const form = await openLoginForm(sesame, firstConfig, firstParty);
    form.browser.clearCookies();
    const page = await form.browser.request(`${sesame.issuer}/interaction/${form.uid}`);
    expect(expectFrenchPage(page, 400)).toContain('Cette page a expiré');
    // Posting the form from there signs nobody in.
    const posted = await form.browser.request(`${sesame.issuer}/interaction/${form.uid}/login`, { form: { _csrf: form.csrf, username: identifiant, password: PASSWORD } });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(posted.status).toBeLessThan(500);
    expect(posted.headers.get('location')).toBeNull();
  });

  test.each([
    ['an unknown client_id', (c: TestClient) => `/auth?client_id=inconnu&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(c.redirect_uris[0]!)}`],
    ['a redirect_uri that is not registered', (c: TestClient) => `/auth?client_id=${c.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`],
    ['no parameters at all', () => '/auth'],
  ])('the provider’s own error for %s is our French page', async (_label, path) => {
    const page = await new Browser().request(`${sesame.issuer}${path(firstParty)}`);
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    const text = expectFrenchPage(page);
    // Either «la demande n’a pas pu aboutir» or «page expirée»: both send the person back where they came from.
    expect(text).toContain('Retournez sur le site que vous vouliez utiliser');
    expect(page.html).toMatch(/<title>[^<]+<\/title>/);
    expectSecurityHeaders(page.headers);
  });

  test('a login POST without or with a wrong CSRF token is refused with a French page and signs nobody in', async () => {
    const form = await openLoginForm(sesame, firstConfig, firstParty);
    for (const csrf of [undefined, '', 'faux', form.csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))]) {
      const fields: Record<string, string> = { profil: 'responsable', username: identifiant, password: PASSWORD };
      if (csrf !== undefined) fields._csrf = csrf;
      const page = await form.browser.request(form.action, { form: fields });
      expect(page.headers.get('location')).toBeNull();
      expect(expectFrenchPage(page, 403)).toContain('Cette page a expiré. Rechargez-la, puis recommencez.');
    }
    // No session was opened: the same sign-in still shows the login form.
    const again = await form.browser.request(`${sesame.issuer}/interaction/${form.uid}?profil=responsable`);
    expect(again.status).toBe(200);
    expect(again.html).toContain('name="password"');
    const other = await form.browser.navigate((await startAuthorization(firstConfig, firstParty, 'openid')).url.toString(), {}, sesame.issuer);
    expect(other.location).toBeUndefined();
    expect(visibleText(other.html)).toContain('Vous êtes :');
  });

  test('security headers are on our pages and on the provider’s answers', async () => {
    const form = await openLoginForm(sesame, firstConfig, firstParty);
    expectSecurityHeaders((await form.browser.request(`${sesame.issuer}/interaction/${form.uid}?profil=responsable`)).headers);
    for (const path of ['/', '/interaction/nope', '/healthz', '/static/sesame.css', '/.well-known/openid-configuration', '/jwks', '/me', '/page-inconnue']) {
      expectSecurityHeaders((await call(`${sesame.issuer}${path}`)).headers);
    }
    expectSecurityHeaders((await call(`${sesame.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=nope' })).headers);
  });

  test('/healthz and /readyz answer 200 while the database is up', async () => {
    const health = await call(`${sesame.issuer}/healthz`);
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    const ready = await call(`${sesame.issuer}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  test('/readyz answers 503 once the database is gone, /healthz still 200', async () => {
    const database = await createTestDatabase(store);
    const lonely = await startTestSesame(database);
    try {
      expect((await call(`${lonely.issuer}/readyz`)).status).toBe(200);
      await database.db.destroy();
      const ready = await call(`${lonely.issuer}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.json).toEqual(expect.objectContaining({ error: expect.any(String), error_description: expect.any(String) }));
      expect((await call(`${lonely.issuer}/healthz`)).status).toBe(200);
    } finally {
      await lonely.shutdown();
      await database.drop().catch(() => undefined);
    }
  });
});
