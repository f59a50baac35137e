// The federation's settings and the upstream's failures outside a journey: no settings, no button; a partial set
// refused at start; an upstream unreachable from the start, or whose ID token signature does not verify: French
// pages with the way back, never a 500.
import { Browser, formAction, inputValue } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { expectFrenchPage } from '../support/http.js';
import { discover, registerClient, startAuthorization } from '../support/relying-party.js';
import { freePort, startTestSesame, testConfig, type TestSesame } from '../support/sesame.js';
import { startUpstream, type TestUpstream } from '../support/upstream-provider.js';

/** The parent login page of a new sign-in at `sesame`. */
async function parentLoginPage(sesame: TestSesame, browser: Browser) {
  const client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile' });
  const start = await startAuthorization(await discover(sesame, client), client, 'openid profile');
  const first = await browser.navigate(start.url.toString(), {}, sesame.issuer);
  return browser.request(`${first.url}?profil=responsable`);
}

async function clickButton(sesame: TestSesame, browser: Browser, page: { html: string }) {
  const action = formAction(page.html, /\/federation$/);
  expect(action).toBeDefined();
  return browser.navigate(new URL(action!, sesame.issuer).toString(), { form: { _csrf: inputValue(page.html, '_csrf')! } }, sesame.issuer);
}

describe('federation settings and upstream failures', () => {
  let database: TestDatabase;
  const started: TestSesame[] = [];
  let upstream: TestUpstream | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('embedded');
  });
  afterAll(async () => {
    for (const s of started) await s.shutdown();
    await upstream?.close();
    await database?.drop();
  });

  test('none of the settings: no button; a partial set is refused at start with a sentence naming the three', async () => {
    const plain = await startTestSesame(database);
    started.push(plain);
    expect(plain.config.upstream).toBeUndefined();
    const page = await parentLoginPage(plain, new Browser());
    expect(page.html).not.toContain('/federation');
    expect(() => testConfig(3000, '/tmp', { UPSTREAM_ISSUER: 'https://fc.example' })).toThrow(/UPSTREAM_ISSUER, UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET/);
    expect(() => testConfig(3000, '/tmp', { NODE_ENV: 'production', UPSTREAM_ISSUER: 'http://fc.example', UPSTREAM_CLIENT_ID: 'a', UPSTREAM_CLIENT_SECRET: 'b' }))
      .toThrow(/UPSTREAM_ISSUER http:\/\/fc.example is not https/);
  });

  test('an upstream unreachable since the start: the button answers a French page (503) back to the login page', async () => {
    const dead = await freePort();
    const sesame = await startTestSesame(database, { UPSTREAM_ISSUER: `http://127.0.0.1:${dead}`, UPSTREAM_CLIENT_ID: 'sesame', UPSTREAM_CLIENT_SECRET: 'secret' });
    started.push(sesame);
    const browser = new Browser();
    const page = await parentLoginPage(sesame, browser);
    const answer = await clickButton(sesame, browser, page);
    const text = expectFrenchPage(answer, 503);
    expect(text).toContain('FranceConnect ne répond pas pour le moment');
    expect(answer.html).toMatch(/href="\/interaction\/[\w-]+\?profil=responsable"/);
  });

  test('an ID token whose signature does not verify with the upstream keys: a French page, nothing linked', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    upstream = await startUpstream({ redirectUri: `${issuer}/federation/retour`, postLogoutRedirectUri: `${issuer}/federation/deconnexion` });
    upstream.tamper.jwks = true;
    const sesame = await startTestSesame(database, {
      PORT: String(port), ISSUER: issuer, UPSTREAM_ISSUER: upstream.issuer, UPSTREAM_CLIENT_ID: upstream.clientId, UPSTREAM_CLIENT_SECRET: upstream.clientSecret, UPSTREAM_LABEL: 'FranceConnect',
    });
    started.push(sesame);
    await addFamily(database.db, { family: 'Blanc', given: 'Nina', mobile: uniqueMobile().e164 }, [{ given: 'Sam', family: 'Blanc', birthdate: '2014-07-07' }]);
    upstream.accounts.set('fc-nina', { sub: 'fc-nina', given_name: 'Nina', family_name: 'Blanc', birthdate: '1980-01-01' });
    const browser = new Browser();
    const page = await parentLoginPage(sesame, browser);
    const left = await clickButton(sesame, browser, page);
    const upstreamPage = await browser.navigate(left.location!, {}, upstream.issuer);
    const back = await browser.navigate(new URL(formAction(upstreamPage.html, /\/login$/)!, upstream.issuer).toString(), { form: { account: 'fc-nina' } }, upstream.issuer);
    const answer = await browser.navigate(back.location!, {}, sesame.issuer);
    expect(expectFrenchPage(answer, 400)).toContain('Nous n’avons pas pu vérifier la réponse de FranceConnect');
    expect(await database.db.selectFrom('upstream_links').select('sub').execute()).toEqual([]);
  });
});
