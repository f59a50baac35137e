// Usage charters at sign-in, from a real relying party (openid-client): the charter is shown after the password,
// accepting it lets the sign-in finish, a new version asks again, a refusal shows a French page and then returns
// access_denied; the admin API records and lists acceptances, and refuses bad input without changing anything.
import { Browser, formAction } from '../support/browser.js';
import { answerCharter, openCharter } from '../support/charter-form.js';
import { STORES } from '../support/databases.js';
import { expectFrenchPage, expectJsonError, visibleText } from '../support/http.js';
import { discover, oidc, passLogin, registerClient, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const CHARTER_V1 = [
  '# Charte de l’ENT',
  '',
  'En utilisant l’ENT, vous vous engagez à **respecter les autres**.',
  '',
  '<script>alert("piège")</script> [un lien](javascript:alert(1)) [le règlement](https://college.example/reglement)',
].join('\n');

describe.each(STORES)('usage charters at sign-in (%s store)', (store) => {
  let sesame: TestSesame;
  let client: TestClient;
  let plain: TestClient;
  let config: oidc.Configuration;
  let plainConfig: oidc.Configuration;
  let credentials: { username: string; password: string };

  const acceptances = async () => (await admin(sesame, 'GET', '/charters/ent/acceptances')).json.acceptances as { identifiant: string; version: number; client_id: string }[];

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    client = await registerClient(sesame, { name: 'ENT du collège' });
    plain = await registerClient(sesame, { name: 'Pronote' });
    config = await discover(sesame, client);
    plainConfig = await discover(sesame, plain);
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'eleve', given_name: 'Jules', family_name: 'Moreau', password: PASSWORD });
    credentials = { username: created.json.identifiant, password: PASSWORD };
    expect((await admin(sesame, 'POST', '/charters', { name: 'ent', text: CHARTER_V1 })).json).toMatchObject({ name: 'ent', version: 1 });
    expect((await admin(sesame, 'POST', `/clients/${client.client_id}/charter`, { charter: 'ent' })).json).toEqual({ client_id: client.client_id, charter: 'ent' });
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('the charter is shown after the password, safely rendered and printable; accepting it finishes the sign-in', async () => {
    const screen = await openCharter(sesame, config, client, credentials);
    expect(screen.callback).toBeUndefined();
    const text = expectFrenchPage({ ...screen.page!, headers: new Headers({ 'content-type': 'text/html' }) }, 200);
    expect(text).toContain('Charte d’utilisation');
    expect(text).toContain('Version 1 du');
    expect(screen.page!.html).toContain('<strong>respecter les autres</strong>');
    expect(screen.page!.html.match(/<h1[\s>]/g)).toHaveLength(1);
    // The operator's markup is shown as text, a javascript: link is not a link; an ordinary link stays one.
    expect(screen.page!.html).not.toContain('<script>alert');
    expect(text).toContain('<script>alert("piège")</script>');
    expect(screen.page!.html).not.toMatch(/href="javascript:/i);
    expect(screen.page!.html).toMatch(/<a href="https:\/\/college\.example\/reglement" rel="noopener noreferrer" target="_blank">le règlement<\/a>/);
    expect(screen.page!.html).toMatch(/<label for="accept">J’ai lu et j’accepte la charte<\/label>/);

    const printable = /href="([^"]*\/charte\/imprimer)"/.exec(screen.page!.html)![1]!;
    const print = await screen.browser.request(new URL(printable, sesame.issuer).toString());
    expect(print.status).toBe(200);
    expect(print.html).toContain('<strong>respecter les autres</strong>');

    const done = await answerCharter(sesame, screen, { decision: 'accept', accept: 'oui' });
    expect(done.location).toBeDefined();
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: screen.start.verifier, expectedState: screen.start.state });
    expect(tokens.access_token).toBeDefined();
    expect(await acceptances()).toEqual([expect.objectContaining({ identifiant: credentials.username, version: 1, client_id: client.client_id })]);

    // Signed in again (a new browser, so a new password too): the accepted version is not asked again.
    const again = await openCharter(sesame, config, client, credentials);
    expect(again.callback?.searchParams.get('code')).toBeTruthy();
  });

  test('accepting without ticking the box gets a French error tied to the box, and records nothing', async () => {
    await admin(sesame, 'POST', '/charters', { name: 'ent', text: 'Version à cocher' });
    const before = await acceptances();
    const screen = await openCharter(sesame, config, client, credentials);
    const page = await answerCharter(sesame, screen, { decision: 'accept' });
    expect(page.status).toBe(400);
    expect(page.html).toMatch(/<a href="#accept">Cochez la case/);
    expect(page.html).toMatch(/<input id="accept"[^>]*aria-invalid="true"[^>]*aria-describedby="accept-error"/);
    expect(page.html).toMatch(/id="accept-error"/);
    expect(await acceptances()).toEqual(before);
    // The same screen still works.
    const done = await answerCharter(sesame, screen, { decision: 'accept', accept: 'oui' });
    expect(done.location).toContain('code=');
    expect((await acceptances()).map((a) => a.version)).toEqual([1, 2]);
  });

  test('a new version asks again at the next sign-in; refusing shows a French page, then the application gets access_denied', async () => {
    await admin(sesame, 'POST', '/charters', { name: 'ent', text: '# Nouvelle version\n\nLes règles ont changé.' });
    const screen = await openCharter(sesame, config, client, credentials);
    expect(screen.page!.html).toContain('Les règles ont changé.');
    expect(visibleText(screen.page!.html)).toContain('Version 3 du');

    const refused = await answerCharter(sesame, screen, { decision: 'refuse' });
    expect(refused.location).toBeUndefined();
    const text = expectFrenchPage(refused, 200);
    expect(text).toContain('Vous avez refusé la charte');
    expect(text).toContain('ENT du collège');
    // Coming back to the sign-in shows the refusal again rather than the charter.
    const uid = /\/interaction\/([^/]+)\/charte$/.exec(screen.action!)![1]!;
    const reload = await screen.browser.navigate(`${sesame.issuer}/interaction/${uid}`, {}, sesame.issuer);
    expect(visibleText(reload.html)).toContain('Vous avez refusé la charte');

    const back = /<a class="button" href="([^"]+)"/.exec(refused.html)![1]!.replace(/&amp;/g, '&');
    const toRp = await screen.browser.navigate(back, {}, sesame.issuer);
    const callback = new URL(toRp.location!);
    expect(callback.origin + callback.pathname).toBe(screen.start.redirectUri);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(screen.start.state);
    expect((await acceptances()).map((a) => a.version)).toEqual([1, 2]);

    // Refused is not accepted: the next sign-in asks again.
    const next = await openCharter(sesame, config, client, credentials);
    expect(next.action).toBeDefined();
  });

  test('a third-party application with a charter asks for the charter first, then consent', async () => {
    const third = await registerClient(sesame, { name: 'Téléservices', first_party: false, scope: 'openid profile' });
    await admin(sesame, 'POST', `/clients/${third.client_id}/charter`, { charter: 'ent' });
    const thirdConfig = await discover(sesame, third);
    const screen = await openCharter(sesame, thirdConfig, third, credentials, { scope: 'openid profile' });
    const consent = await answerCharter(sesame, screen, { decision: 'accept', accept: 'oui' });
    expect(consent.location).toBeUndefined();
    const action = formAction(consent.html, /\/consent$/)!;
    expect(action).toBeDefined();
    const granted = await screen.browser.navigate(new URL(action, sesame.issuer).toString(), { form: { _csrf: screen.csrf!, decision: 'allow' } }, sesame.issuer);
    expect(granted.location).toContain('code=');
    expect(await acceptances()).toContainEqual(expect.objectContaining({ version: 3, client_id: third.client_id }));
  });

  test('an application without a charter is unaffected, and prompt=none cannot skip a pending charter', async () => {
    const { callback } = await passLogin(new Browser(), sesame, await startAuthorization(plainConfig, plain, 'openid'), credentials);
    expect(callback?.searchParams.get('code')).toBeTruthy();

    await admin(sesame, 'POST', '/charters', { name: 'ent', text: 'Version 4' });
    const browser = new Browser();
    await passLogin(browser, sesame, await startAuthorization(plainConfig, plain, 'openid'), credentials);
    const silent = await startAuthorization(config, client, 'openid');
    silent.url.searchParams.set('prompt', 'none');
    const answer = await browser.navigate(silent.url.toString(), {}, sesame.issuer);
    expect(new URL(answer.location!).searchParams.get('error')).toBe('interaction_required');
  });

  test('a bad CSRF token, a finished or unknown sign-in get a French page and record nothing', async () => {
    const before = await acceptances();
    const screen = await openCharter(sesame, config, client, credentials);
    const forged = await answerCharter(sesame, screen, { _csrf: 'x'.repeat(43), decision: 'accept', accept: 'oui' });
    expect(expectFrenchPage(forged, 403)).toContain('Cette page a expiré');

    const done = await answerCharter(sesame, screen, { decision: 'accept', accept: 'oui' });
    expect(done.location).toContain('code=');
    const replay = await answerCharter(sesame, screen, { decision: 'accept', accept: 'oui' });
    expect(expectFrenchPage(replay, 400)).toContain('Cette page a expiré');

    await admin(sesame, 'POST', '/charters', { name: 'ent', text: 'Version 5' });
    const lost = await openCharter(sesame, config, client, credentials);
    lost.browser.clearCookies();
    const page = await lost.browser.request(`${sesame.issuer}/interaction/inconnu/charte`);
    expect(expectFrenchPage(page, 400)).toContain('Cette page a expiré');
    const posted = await lost.browser.request(lost.action!, { form: { _csrf: lost.csrf!, decision: 'refuse' } });
    expect(posted.status).toBe(403);
    expect((await acceptances()).length).toBe(before.length + 1);
  });

  test('the admin API refuses unknown clients and charters, empty, huge or binary texts and hostile names, changing nothing', async () => {
    const listBefore = (await admin(sesame, 'GET', '/charters')).json;
    const attempts: [string, string, unknown, number, string][] = [
      ['POST', '/clients/inconnu/charter', { charter: 'ent' }, 404, 'not_found'],
      ['POST', `/clients/${plain.client_id}/charter`, { charter: 'inconnue' }, 404, 'charter_not_found'],
      ['POST', `/clients/${plain.client_id}/charter`, { charter: '../ent' }, 400, 'invalid_request'],
      ['DELETE', '/clients/inconnu/charter', undefined, 404, 'not_found'],
      ['GET', '/charters/inconnue', undefined, 404, 'charter_not_found'],
      ['GET', '/charters/%00/acceptances', undefined, 404, 'charter_not_found'],
      ['POST', '/charters', { name: 'ent', text: '' }, 400, 'invalid_request'],
      ['POST', '/charters', { name: 'ent', text: '  \n\t ' }, 400, 'invalid_request'],
      ['POST', '/charters', { name: 'ent', text: 'x'.repeat(200_001) }, 400, 'invalid_request'],
      ['POST', '/charters', { name: 'ent', text: 'PK\u0003\u0004\u0000binaire' }, 400, 'invalid_request'],
      ['POST', '/charters', { name: 'ent', text: 'texte \ud800 cassé' }, 400, 'invalid_request'],
      ['POST', '/charters', { name: 'ENT', text: 'Texte' }, 400, 'invalid_request'],
      ['POST', '/charters', { name: '<script>', text: 'Texte' }, 400, 'invalid_request'],
      ['POST', '/charters', { name: 'a b', text: 'Texte' }, 400, 'invalid_request'],
      ['POST', '/charters', { name: 'ent\u0000', text: 'Texte' }, 400, 'invalid_request'],
      ['POST', '/charters', { name: 'x'.repeat(64), text: 'Texte' }, 400, 'invalid_request'],
      ['POST', '/charters', { text: 'Texte' }, 400, 'invalid_request'],
    ];
    for (const [method, path, body, status, error] of attempts) {
      const answer = await admin(sesame, method, path, body);
      expect({ path, status: answer.status, error: answer.json?.error }).toEqual({ path, status, error });
      expect(typeof answer.json.error_description).toBe('string');
    }
    expect((await admin(sesame, 'GET', '/charters')).json).toEqual(listBefore);
    expect((await admin(sesame, 'GET', `/clients/${plain.client_id}`)).status).toBe(200);
    // The plain client still has no charter: it signs in straight through.
    const { callback } = await passLogin(new Browser(), sesame, await startAuthorization(plainConfig, plain, 'openid'), credentials);
    expect(callback?.searchParams.get('code')).toBeTruthy();
    // Not JSON at all is a clear 400 too.
    const raw = await fetch(`${sesame.adminUrl}/admin/api/v1/charters`, { method: 'POST', headers: { authorization: `Bearer ${sesame.sesame.adminToken}`, 'content-type': 'application/json' }, body: '{nope' });
    expect(raw.status).toBe(400);
    expectJsonError({ status: raw.status, headers: raw.headers, text: '', json: await raw.json() });
  });

  test('detaching the charter lets people through without it', async () => {
    await admin(sesame, 'POST', '/charters', { name: 'ent', text: 'Version 6' });
    const other = await registerClient(sesame, { name: 'Cantine' });
    const otherConfig = await discover(sesame, other);
    await admin(sesame, 'POST', `/clients/${other.client_id}/charter`, { charter: 'ent' });
    expect((await openCharter(sesame, otherConfig, other, credentials)).action).toBeDefined();
    expect((await admin(sesame, 'DELETE', `/clients/${other.client_id}/charter`)).json).toEqual({ client_id: other.client_id, charter: null });
    expect((await openCharter(sesame, otherConfig, other, credentials)).callback?.searchParams.get('code')).toBeTruthy();
    const shown = (await admin(sesame, 'GET', '/charters/ent')).json;
    expect(shown).toMatchObject({ name: 'ent', version: 6, text: 'Version 6' });
    expect(shown.clients).toHaveLength(2);
    expect(shown.clients).toContain(client.client_id);
    expect(shown.clients).not.toContain(other.client_id);
    expect(shown.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
