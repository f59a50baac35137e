// Bad input at every door: empty, huge, malformed, wrong-type, markup and control characters. Machines get a 4xx
// with `{ error, error_description }`, people a French page; nothing answers 500 and nothing is half-written.
import { Browser } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { call, expectFrenchPage, expectJsonError, jsonBody, type RawResponse } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, signIn, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const MB = 1024 * 1024;
const NUL = '\u0000';
const MARKUP = '<script>alert(1)</script>';

const form = (fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
});
const basic = (client: TestClient) => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret!)}`).toString('base64')}` });

describe.each(STORES)('bad input (%s store)', (store) => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;
  const url = (path: string) => `${sesame.issuer}${path}`;

  /** Rows that a refused request must not have added. */
  async function counts(): Promise<Record<string, number>> {
    const db = sesame.sesame.db;
    const accounts = await db.selectFrom('accounts').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const payloads = await db.selectFrom('oidc_payloads').select(['model']).where('model', 'in', ['Client', 'Session', 'AccessToken', 'AuthorizationCode', 'Grant']).execute();
    const byModel: Record<string, number> = { accounts: Number(accounts.n) };
    for (const model of ['Client', 'Session', 'AccessToken', 'AuthorizationCode', 'Grant']) byModel[model] = payloads.filter((p) => p.model === model).length;
    return byModel;
  }

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant;
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  describe('/auth', () => {
    const authUrl = (params: Record<string, string>, extra = '') => url(`/auth?${new URLSearchParams(params).toString()}${extra}`);
    const good = () => ({
      client_id: client.client_id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: client.redirect_uris[0]!,
      state: 'etat',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    /** The provider either shows our French page, or sends the error to the (valid) redirect URI, never a code. */
    function expectRefused(page: { status: number; headers: Headers; html: string }, error?: string): void {
      const location = page.headers.get('location');
      if (location) {
        const back = new URL(location);
        expect(back.origin + back.pathname).toBe(client.redirect_uris[0]);
        expect(back.searchParams.get('code')).toBeNull();
        expect(back.searchParams.get('access_token')).toBeNull();
        expect(back.hash).not.toMatch(/access_token=|id_token=|code=/);
        // Errors come back in the query, or in the fragment for response types that would have used it.
        const sent = back.searchParams.get('error') ?? new URLSearchParams(back.hash.slice(1)).get('error');
        if (error) expect(sent).toBe(error);
        else expect(sent).toBeTruthy();
      } else {
        expectFrenchPage(page, 400);
        expect(page.html).not.toContain('<script>alert');
      }
    }
    const get = (target: string) => new Browser().request(target);

    test('a well-formed request is accepted (the baseline)', async () => {
      const page = await get(authUrl(good()));
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toMatch(/^\/interaction\//);
    });

    // Refused either on our French page or, once client and redirect URI are known good, at the relying party.
    test.each<[string, () => string, string]>([
      ['no PKCE', () => authUrl((({ code_challenge: _c, code_challenge_method: _m, ...p }) => p)(good())), 'invalid_request'],
      ['code_challenge_method=plain', () => authUrl({ ...good(), code_challenge_method: 'plain', code_challenge: 'a'.repeat(43) }), 'invalid_request'],
      ['an unknown code_challenge_method', () => authUrl({ ...good(), code_challenge_method: 'S512' }), 'invalid_request'],
      ['response_type=token', () => authUrl({ ...good(), response_type: 'token' }), ''],
      ['response_type=id_token token', () => authUrl({ ...good(), response_type: 'id_token token', nonce: 'n' }), ''],
      ['no response_type', () => authUrl((({ response_type: _r, ...p }) => p)(good())), ''],
      ['an unknown prompt', () => authUrl({ ...good(), prompt: 'magie' }), ''],
      ['a duplicated redirect_uri', () => authUrl(good(), `&redirect_uri=${encodeURIComponent('https://evil.example/')}`), 'invalid_request'],
      ['a duplicated state', () => authUrl(good(), '&state=autre'), 'invalid_request'],
      ['a NUL byte in state', () => authUrl({ ...good(), state: `a${NUL}<b>` }), ''],
      ['a NUL byte in nonce', () => authUrl({ ...good(), nonce: `${NUL}${MARKUP}` }), ''],
    ])('%s is refused', async (_label, target, error) => {
      expectRefused(await get(target()), error || undefined);
    });

    test.each<[string, () => string]>([
      ['no parameters', () => url('/auth')],
      ['a missing redirect_uri and client_id', () => authUrl({ response_type: 'code', scope: 'openid' })],
      ['a duplicated client_id', () => authUrl(good(), `&client_id=${client.client_id}`)],
      ['an empty client_id', () => authUrl({ ...good(), client_id: '' })],
      ['markup as client_id', () => authUrl({ ...good(), client_id: MARKUP })],
      ['a NUL byte in client_id', () => authUrl({ ...good(), client_id: `a${NUL}b` })],
      ['a control character in redirect_uri', () => authUrl({ ...good(), redirect_uri: `${client.redirect_uris[0]}\u0001` })],
      ['a 10 kB client_id', () => authUrl({ ...good(), client_id: 'x'.repeat(10_000) })],
      ['a javascript: redirect_uri', () => authUrl({ ...good(), redirect_uri: 'javascript:alert(1)' })],
    ])('%s gives a French page, no redirect', async (_label, target) => {
      const page = await get(target());
      expect(page.headers.get('location')).toBeNull();
      expectRefused(page);
    });

    test('a 1 MB query string is refused before it costs anything', async () => {
      const response = await call(authUrl({ ...good(), state: 'x'.repeat(MB) }), { headers: { accept: 'text/html' } }).catch(() => undefined);
      // Node refuses oversized request heads itself (431) or drops the connection; either way nothing is processed.
      if (response) {
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
      expect((await call(url('/healthz'))).status).toBe(200);
    });

    // Allowed by OAuth 2.0 (no openid scope, code in the fragment) or merely odd: the sign-in may go on, never a 500.
    test('odd but harmless values (bad percent-encoding, bell characters, markup in state) never give a 500', async () => {
      for (const target of [
        authUrl((({ scope: _s, ...p }) => p)(good())),
        authUrl({ ...good(), scope: 'profile' }),
        authUrl({ ...good(), response_mode: 'fragment' }),
        `${authUrl(good())}&nonce=%E0%A4%A`,
        authUrl({ ...good(), state: `\u0007${MARKUP}` }),
        authUrl({ ...good(), login_hint: MARKUP }),
      ]) {
        const page = await get(target);
        expect(page.status).toBeLessThan(500);
        expect(page.html).not.toContain('<script>alert');
      }
    });

    test('the six typed characters \\u0000 in state are text, not a NUL: the sign-in goes on', async () => {
      const page = await get(authUrl({ ...good(), state: '\\u0000' }));
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toMatch(/^\/interaction\//);
    });
  });

  describe('/token', () => {
    const token = (fields: Record<string, string>, headers: Record<string, string> = basic(client)) => call(url('/token'), form(fields, headers));

    async function freshCode() {
      const opened = await openLoginForm(sesame, config, client);
      const done = await postLogin(sesame, opened, { username: identifiant, password: PASSWORD });
      const callback = new URL(done.location!);
      return { code: callback.searchParams.get('code')!, verifier: opened.start.verifier, redirectUri: opened.start.redirectUri };
    }

    test.each<[string, () => Promise<RawResponse>, number, string]>([
      ['an unknown grant_type', () => token({ grant_type: 'magie' }), 400, 'unsupported_grant_type'],
      ['no grant_type', () => token({}), 400, 'invalid_request'],
      ['the implicit grant', () => token({ grant_type: 'implicit' }), 400, 'unsupported_grant_type'],
      ['client_credentials (not allowed)', () => token({ grant_type: 'client_credentials' }), 400, 'unsupported_grant_type'],
      ['a made-up code', () => token({ grant_type: 'authorization_code', code: 'pas-un-code', redirect_uri: client.redirect_uris[0]!, code_verifier: 'v'.repeat(43) }), 400, 'invalid_grant'],
      ['a NUL byte in the code', () => token({ grant_type: 'authorization_code', code: `a${NUL}b`, redirect_uri: client.redirect_uris[0]!, code_verifier: 'v'.repeat(43) }), 400, 'invalid_grant'],
      ['a made-up refresh token', () => token({ grant_type: 'refresh_token', refresh_token: MARKUP }), 400, 'invalid_grant'],
      ['a wrong client secret', () => token({ grant_type: 'authorization_code', code: 'x' }, basic({ ...client, client_secret: 'faux' })), 401, 'invalid_client'],
      ['an unknown client', () => token({ grant_type: 'authorization_code', code: 'x' }, basic({ ...client, client_id: 'inconnu' })), 401, 'invalid_client'],
      ['no client authentication', () => token({ grant_type: 'authorization_code', code: 'x' }, {}), 400, 'invalid_request'],
      ['garbage in the Authorization header', () => token({ grant_type: 'authorization_code', code: 'x' }, { authorization: 'Basic @@@###' }), 400, 'invalid_request'],
    ])('%s', async (_label, send, status, error) => {
      const response = await send();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(expectJsonError(response)).toBe(error);
      expect(response.status).toBe(status);
    });

    test.each<[string, RequestInit]>([
      ['a JSON body', jsonBody({ grant_type: 'authorization_code', code: 'x' })],
      ['a 1 MB body', form({ grant_type: 'authorization_code', code: 'x'.repeat(MB) })],
      ['a body with no content type', { method: 'POST', body: 'grant_type=authorization_code' }],
    ])('%s is refused as invalid', async (_label, init) => {
      const response = await call(url('/token'), { ...init, headers: { ...basic(client), ...(init.headers as Record<string, string>) } });
      expectJsonError(response);
    });

    test('a real code with a wrong PKCE verifier gets no token (and does not lock out the real client)', async () => {
      const { code, redirectUri, verifier } = await freshCode();
      const before = await counts();
      for (const codeVerifier of ['w'.repeat(43), '', 'x'.repeat(200), `${verifier}${NUL}`]) {
        const wrong = await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier });
        expect(['invalid_grant', 'invalid_request']).toContain(expectJsonError(wrong, 400));
      }
      expect((await counts()).AccessToken).toBe(before.AccessToken);
      // The verifier is 256 random bits: guessing is hopeless, so a failed try does not burn the code.
      const right = await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
      expect(right.status).toBe(200);
      expect(expectJsonError(await token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }), 400)).toBe('invalid_grant');
    });

    test('a wrong HTTP method on a protocol endpoint is a 4xx, not a 500', async () => {
      for (const [method, path] of [['GET', '/token'], ['PUT', '/me'], ['DELETE', '/auth'], ['GET', '/token/revocation']] as const) {
        const response = await call(url(path), { method });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
    });
  });

  describe('/me, introspection, revocation, PAR, logout', () => {
    test.each<[string, Record<string, string>]>([
      ['no token', {}],
      ['a garbage token', { authorization: 'Bearer pas-un-jeton' }],
      ['markup as token', { authorization: `Bearer ${encodeURIComponent(MARKUP)}` }],
      ['a 10 kB token', { authorization: `Bearer ${'x'.repeat(10_000)}` }],
      ['a JWT-looking token', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }],
      ['a non-Bearer scheme', { authorization: 'Basic Zm9vOmJhcg==' }],
    ])('/me with %s is 4xx invalid_token-style JSON', async (_label, headers) => {
      const response = await call(url('/me'), { headers });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectJsonError(response);
    });

    test('/me with a real token works (the baseline) and with a NUL byte in the token does not 500', async () => {
      const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: 'openid' });
      expect((await call(url('/me'), { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
      const nul = await call(url('/me'), { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=a%00b` });
      expect(nul.status).toBeLessThan(500);
    });

    test.each(['/token/introspection', '/token/revocation'])('%s answers garbage sensibly', async (path) => {
      for (const value of ['', 'pas-un-jeton', MARKUP, `a${NUL}b`, 'x'.repeat(40_000)]) {
        const response = await call(url(path), form({ token: value }, basic(client)));
        expect(response.status).toBeLessThan(500);
        if (response.status === 200 && path.endsWith('introspection')) expect(response.json).toEqual({ active: false });
        if (response.status !== 200) expectJsonError(response);
      }
      expect(expectJsonError(await call(url(path), form({ token: 'x' })))).toBe('invalid_request');
      expect(expectJsonError(await call(url(path), form({ token: 'x' }, basic({ ...client, client_secret: 'faux' }))), 401)).toBe('invalid_client');
      expectJsonError(await call(url(path), form({ token: 'x'.repeat(MB) }, basic(client))), 400);
      expectJsonError(await call(url(path), jsonBody({ token: 'x' }, basic(client))), 400);
    });

    test('/request (PAR) refuses garbage with JSON', async () => {
      const before = await counts();
      expect(expectJsonError(await call(url('/request'), form({ response_type: 'code' })))).toBe('invalid_request');
      for (const fields of [
        {} as Record<string, string>,
        { client_id: client.client_id, response_type: 'token', scope: 'openid', redirect_uri: client.redirect_uris[0]! },
        { response_type: 'code', scope: 'openid', redirect_uri: 'javascript:alert(1)', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' },
        { response_type: 'code', scope: 'openid', redirect_uri: client.redirect_uris[0]! },
        { response_type: 'code', scope: `openid${NUL}`, redirect_uri: client.redirect_uris[0]!, state: MARKUP },
      ]) {
        expectJsonError(await call(url('/request'), form(fields, basic(client))), 400);
      }
      expectJsonError(await call(url('/request'), form({ response_type: 'code', state: 'x'.repeat(MB) }, basic(client))), 400);
      // A request_uri pushed to PAR itself: oidc-provider answers without error_description (optional in RFC 6749).
      const nested = await call(url('/request'), form({ request_uri: 'urn:ietf:params:oauth:request_uri:x', response_type: 'code' }, basic(client)));
      expect(nested.status).toBe(400);
      expect(nested.json.error).toBe('request_uri_not_supported');
      expect(await counts()).toEqual(before);
    });

    test.each([
      ['a garbage id_token_hint', `id_token_hint=${encodeURIComponent('pas.un.jeton')}`],
      ['markup as id_token_hint', `id_token_hint=${encodeURIComponent(MARKUP)}`],
      ['an unregistered post_logout_redirect_uri', `client_id=CLIENT&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`],
      ['an unknown client_id', 'client_id=inconnu'],
      ['a NUL byte', `client_id=a%00b&state=${encodeURIComponent(MARKUP)}`],
    ])('/session/end with %s shows a French page', async (_label, query) => {
      const page = await new Browser().request(url(`/session/end?${query.replace('CLIENT', client.client_id)}`));
      expect(page.headers.get('location')).toBeNull();
      expectFrenchPage(page, 400);
      expect(page.html).not.toContain('<script>alert');
    });
  });

  describe('login and consent forms', () => {
    test.each<[string, Record<string, string>, number, RegExp]>([
      ['empty fields', { username: '', password: '' }, 400, /Indiquez votre identifiant et votre mot de passe/],
      ['only spaces', { username: '   ', password: 'x' }, 400, /Indiquez votre identifiant et votre mot de passe/],
      ['a 10 000-character identifiant', { username: 'a'.repeat(10_000), password: PASSWORD }, 401, /L’identifiant ou le mot de passe est incorrect/],
      ['a 2 000-character password', { username: identifiant, password: 'p'.repeat(2000) }, 401, /L’identifiant ou le mot de passe est incorrect/],
      ['no password', { username: identifiant }, 400, /Indiquez votre identifiant et votre mot de passe/],
      ['a NUL byte in the identifiant', { username: `${identifiant}${NUL}`, password: PASSWORD }, 401, /L’identifiant ou le mot de passe est incorrect/],
      ['a NUL byte in the password', { username: identifiant, password: `${PASSWORD}${NUL}` }, 401, /L’identifiant ou le mot de passe est incorrect/],
      ['control characters in the identifiant', { username: '\u0001\u0002\u001b[31m', password: 'x' }, 401, /L’identifiant ou le mot de passe est incorrect/],
      ['a 1 MB password', { username: identifiant, password: 'p'.repeat(MB) }, 413, /trop longues/],
    ])('%s gets a French answer and no sign-in', async (_label, fields, status, message) => {
      const before = await counts();
      const opened = await openLoginForm(sesame, config, client);
      const page = await postLogin(sesame, opened, fields);
      expect(page.location).toBeUndefined();
      expect(expectFrenchPage(page, status)).toMatch(message);
      expect((await counts()).Session).toBe(before.Session);
    });

    test('markup in the identifiant comes back escaped in the form', async () => {
      const opened = await openLoginForm(sesame, config, client);
      const page = await postLogin(sesame, opened, { username: `"><img src=x onerror=alert(1)>${MARKUP}`, password: 'faux-mot-de-passe' });
      expect(page.status).toBe(401);
      expect(page.html).not.toContain(MARKUP);
      expect(page.html).not.toContain('<img src=x');
      expect(page.html).toMatch(/value="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;&lt;script&gt;/);
    });

    test('fields sent twice (arrays) or as JSON are refused without a sign-in', async () => {
      const opened = await openLoginForm(sesame, config, client);
      const twice = await call(opened.action, {
        method: 'POST',
        headers: { cookie: opened.browser.cookieHeader(), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${opened.csrf}&profil=responsable&username=${identifiant}&username=autre&password=${PASSWORD}&password=x`,
      });
      expect(twice.headers.get('location')).toBeNull();
      expectFrenchPage(twice, 400);
      const json = await call(opened.action, jsonBody({ _csrf: opened.csrf, username: identifiant, password: PASSWORD }, { cookie: opened.browser.cookieHeader(), accept: 'text/html' }));
      expect(json.headers.get('location')).toBeNull();
      expect(json.status).toBeGreaterThanOrEqual(400);
      expect(json.status).toBeLessThan(500);
      expectFrenchPage(json);
      const malformed = await call(opened.action, {
        method: 'POST',
        headers: { cookie: opened.browser.cookieHeader(), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${opened.csrf}&username=%E0%A4%A&password=%`,
      });
      expect(malformed.headers.get('location')).toBeNull();
      expect(malformed.status).toBeGreaterThanOrEqual(400);
      expect(malformed.status).toBeLessThan(500);
      expectFrenchPage(malformed);
    });

    test('a machine posting the form gets JSON errors instead of a page', async () => {
      const opened = await openLoginForm(sesame, config, client);
      const response = await call(opened.action, form({ _csrf: 'faux', username: identifiant, password: PASSWORD }, { cookie: opened.browser.cookieHeader(), accept: 'application/json' }));
      expect(expectJsonError(response, 403)).toBe('invalid_csrf');
    });

    test('garbage posted to the consent form is a refusal or a French error, never a grant', async () => {
      const third = await registerClient(sesame, { first_party: false });
      const thirdConfig = await discover(sesame, third);
      for (const fields of [{ decision: 'allow!' }, { decision: '' }, { decision: `allow${NUL}` }, {}] as Record<string, string>[]) {
        const opened = await openLoginForm(sesame, thirdConfig, third);
        const consent = await postLogin(sesame, opened, { username: identifiant, password: PASSWORD });
        const action = `${sesame.issuer}/interaction/${/\/interaction\/([^/]+)\/consent/.exec(consent.url)![1]}/consent`;
        const done = await opened.browser.navigate(action, { form: { _csrf: opened.csrf, ...fields } }, sesame.issuer);
        expect(new URL(done.location!).searchParams.get('error')).toBe('access_denied');
      }
      const opened = await openLoginForm(sesame, thirdConfig, third);
      const consent = await postLogin(sesame, opened, { username: identifiant, password: PASSWORD });
      const huge = await opened.browser.navigate(consent.url, { form: { _csrf: opened.csrf, decision: 'allow', pad: 'x'.repeat(MB) } }, sesame.issuer);
      expect(huge.location).toBeUndefined();
      expect(expectFrenchPage(huge, 413)).toContain('trop longues');
    });
  });

  describe('admin API', () => {
    const adminCall = (path: string, init: RequestInit = {}) => call(`${sesame.adminUrl}/admin/api/v1${path}`, init);
    const auth = () => ({ authorization: `Bearer ${sesame.sesame.adminToken}` });

    test.each<[string, Record<string, string>]>([
      ['no token', {}],
      ['a wrong token', { authorization: 'Bearer faux' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['a Basic scheme', { authorization: 'Basic Zm9vOmJhcg==' }],
      ['a huge token', { authorization: `Bearer ${'x'.repeat(10_000)}` }],
    ])('%s is 401 JSON and creates nothing', async (_label, headers) => {
      const before = await counts();
      const response = await adminCall('/accounts', jsonBody({ kind: 'responsable', given_name: 'Intrus', family_name: 'Intrus', password: PASSWORD }, headers));
      expect(expectJsonError(response, 401)).toBe('unauthorized');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await counts()).toEqual(before);
    });

    test.each<[string, string, string, number]>([
      ['malformed JSON', '/accounts', '{"kind": "responsable",', 0],
      ['a JSON array', '/accounts', '[1, 2]', 0],
      ['JSON null', '/accounts', 'null', 0],
      ['a JSON string', '/accounts', '"bonjour"', 0],
      ['wrong types', '/accounts', JSON.stringify({ kind: 1, given_name: ['Claire'], family_name: { a: 1 } }), 0],
      ['an unknown kind', '/accounts', JSON.stringify({ kind: 'admin', given_name: 'A', family_name: 'B' }), 0],
      ['markup in a name', '/accounts', JSON.stringify({ kind: 'responsable', given_name: MARKUP, family_name: 'B' }), 0],
      ['a NUL byte in a name', '/accounts', JSON.stringify({ kind: 'responsable', given_name: `A${NUL}`, family_name: 'B' }), 0],
      ['an empty name', '/accounts', JSON.stringify({ kind: 'responsable', given_name: '  ', family_name: 'B' }), 0],
      ['a bad mobile', '/accounts', JSON.stringify({ kind: 'responsable', given_name: 'A', family_name: 'B', mobile: '12' }), 0],
      ['a bad birthdate', '/accounts', JSON.stringify({ kind: 'eleve', given_name: 'A', family_name: 'B', birthdate: '2026-02-31' }), 0],
      ['a weak password', '/accounts', JSON.stringify({ kind: 'responsable', given_name: 'A', family_name: 'B', password: '123' }), 0],
      ['a 2 MB body', '/accounts', JSON.stringify({ kind: 'responsable', given_name: 'A', family_name: 'B', pad: 'x'.repeat(2 * MB) }), 413],
      ['redirect_uris as a string', '/clients', JSON.stringify({ name: 'X', redirect_uris: 'https://a.example/cb' }), 0],
      ['a javascript: redirect URI', '/clients', JSON.stringify({ name: 'X', redirect_uris: ['javascript:alert(1)'] }), 0],
      ['a NUL byte in a client name', '/clients', JSON.stringify({ name: `X${NUL}`, redirect_uris: ['https://a.example/cb'] }), 0],
      ['first_party as a string', '/clients', JSON.stringify({ name: 'X', redirect_uris: ['https://a.example/cb'], first_party: 'yes' }), 0],
      ['a negative token lifetime', '/initial-access-tokens', JSON.stringify({ expires_in: -5 }), 0],
      ['a token lifetime as text', '/initial-access-tokens', JSON.stringify({ expires_in: 'demain' }), 0],
    ])('%s is a 4xx JSON error and changes nothing', async (_label, path, body, status) => {
      const before = await counts();
      const response = await adminCall(path, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body });
      expectJsonError(response, status || undefined);
      expect(await counts()).toEqual(before);
    });

    test('a non-JSON content type and unknown paths are JSON errors too', async () => {
      expectJsonError(await adminCall('/accounts', { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: 'kind=responsable' }));
      expectJsonError(await adminCall('/nulle-part', { headers: auth() }), 404);
      expectJsonError(await adminCall('/clients/inconnu', { headers: auth() }), 404);
      expectJsonError(await adminCall(`/clients/${encodeURIComponent(`a${NUL}b`)}`, { headers: auth() }), 404);
      expectJsonError(await adminCall(`/clients/${encodeURIComponent(`a${NUL}b`)}`, { method: 'DELETE', headers: auth() }), 404);
    });
  });
});
