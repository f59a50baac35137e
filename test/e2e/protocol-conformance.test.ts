// What relying parties written elsewhere (mod_auth_openidc, authlib, oidc-client-ts) and hostile integrators found:
// introspection limited to a token's own client, back-channel exemption per operator client, POST at /auth and
// /session/end, refresh tokens for first-party clients without prompt=consent, URLs from ISSUER only, single-use
// PAR, Pragma on token responses.
import { createServer, request, type Server } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Browser, formAction, inputValue } from '../support/browser.js';
import { STORES, type StoreKind } from '../support/databases.js';
import { redisEnv } from '../support/env.js';
import { call, visibleText } from '../support/http.js';
import { discover, oidc, passLogin, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

const MODES: [string, StoreKind, () => Record<string, string>][] = [
  ...STORES.map((s): [string, StoreKind, () => Record<string, string>] => [s, s, () => ({})]),
  ['postgres+redis', 'postgres', redisEnv],
];

const basic = (client: TestClient) => `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret!)}`).toString('base64')}`;

async function introspect(sesame: TestSesame, caller: TestClient, token: string) {
  const response = await call(`${sesame.issuer}/token/introspection`, {
    method: 'POST',
    headers: { authorization: basic(caller), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(response.status).toBe(200);
  return response.json as Record<string, unknown>;
}

/** A GET with a chosen Host header and request target (fetch cannot send either). */
function rawGet(issuer: string, target: string, host: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(issuer);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path: target, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end();
  });
}

describe.each(MODES)('protocol conformance (%s store)', (_mode, store, extraEnv) => {
  let sesame: TestSesame;
  let firstParty: TestClient;
  let thirdParty: TestClient;
  let identifiant: string;
  let backchannel: Server;
  let internalOrigin: string;
  const delivered: string[] = [];
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const port = await freePort();
    internalOrigin = `http://127.0.0.1:${port}`;
    backchannel = createServer((req, res) => {
      delivered.push(req.url ?? '');
      req.resume().on('end', () => res.writeHead(200).end());
    }).listen(port, '127.0.0.1');
    const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(JSON.parse(String(chunk))), done()) });
    sesame = await startTestSesame(store, { BACKCHANNEL_ALLOWED_ORIGINS: internalOrigin, ...extraEnv() }, { logger: pino({ level: 'warn' }, sink) });
    firstParty = await registerClient(sesame, { backchannel_logout_uri: `${internalOrigin}/backchannel-logout` });
    thirdParty = await registerClient(sesame, { name: 'Appli tierce', first_party: false });
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant;
  });

  afterAll(async () => {
    await sesame?.shutdown();
    backchannel?.close();
  });

  const credentials = () => ({ username: identifiant, password: PASSWORD });

  async function selfRegistered(metadata: Record<string, unknown>) {
    const iat = (await admin(sesame, 'POST', '/initial-access-tokens', {})).json.initial_access_token;
    return call(`${sesame.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${iat}` },
      body: JSON.stringify({ client_name: 'Appli inscrite seule', redirect_uris: ['http://127.0.0.1:9/callback'], ...metadata }),
    });
  }

  test('introspection tells only the token\'s own client and operator-marked resource servers', async () => {
    const config = await discover(sesame, firstParty);
    const { tokens } = await signIn(sesame, config, firstParty, credentials());
    const resourceServer = await registerClient(sesame, { name: 'API des notes', first_party: false, resource_server: true });
    const stranger = (await selfRegistered({})).json as TestClient;

    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      expect(await introspect(sesame, firstParty, token)).toMatchObject({ active: true, client_id: firstParty.client_id });
      expect(await introspect(sesame, resourceServer, token)).toMatchObject({ active: true, client_id: firstParty.client_id });
      expect(await introspect(sesame, thirdParty, token)).toEqual({ active: false });
      expect(await introspect(sesame, stranger, token)).toEqual({ active: false });
    }
    // Neither registration nor a public client can make itself a resource server.
    const refused = await selfRegistered({ resource_server: true });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_client_metadata');
    expect((await admin(sesame, 'POST', '/clients', { name: 'API publique', redirect_uris: ['http://127.0.0.1:9/cb'], public: true, resource_server: true })).status).toBe(400);
  });

  test('another client cannot revoke a token: answered 200, the token keeps working', async () => {
    const config = await discover(sesame, firstParty);
    const { tokens } = await signIn(sesame, config, firstParty, credentials());
    const revoke = (caller: TestClient) =>
      call(`${sesame.issuer}/token/revocation`, {
        method: 'POST',
        headers: { authorization: basic(caller), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens.refresh_token! }).toString(),
      });
    expect((await revoke(thirdParty)).status).toBe(200);
    expect(await introspect(sesame, firstParty, tokens.refresh_token!)).toMatchObject({ active: true });
    expect((await revoke(firstParty)).status).toBe(200);
    expect(await introspect(sesame, firstParty, tokens.refresh_token!)).toEqual({ active: false });
  });

  test('back-channel logout reaches internal hosts only at an operator client\'s exact URI, and a failure is logged', async () => {
    const registered = await selfRegistered({ backchannel_logout_uri: `${internalOrigin}/admin/purge`, scope: 'openid', grant_types: ['authorization_code'] });
    expect(registered.status).toBe(201);
    const intruder = registered.json as TestClient;
    const { browser } = await signIn(sesame, await discover(sesame, firstParty), firstParty, credentials(), { scope: 'openid' });
    // Signed in already: the intruder's sign-in stops only at its consent page.
    const start = await startAuthorization(await discover(sesame, intruder), intruder, 'openid');
    const consent = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    const granted = await browser.navigate(new URL(formAction(consent.html, /\/consent$/)!, sesame.issuer).toString(), { form: { _csrf: inputValue(consent.html, '_csrf')!, decision: 'allow' } }, sesame.issuer);
    expect(new URL(granted.location!).searchParams.get('code')).toBeTruthy();
    delivered.length = 0;
    logLines.length = 0;
    const confirm = await browser.request(`${sesame.issuer}/session/end`);
    const action = formAction(confirm.html, /session\/end\/confirm/)!;
    const done = await browser.request(new URL(action, sesame.issuer).toString(), { form: { xsrf: inputValue(confirm.html, 'xsrf')!, logout: 'yes' } });
    expect(done.status).toBe(303);

    expect(delivered).toEqual(['/backchannel-logout']);
    const warning = logLines.find((l) => l.msg === 'back-channel logout not delivered');
    expect(warning).toMatchObject({ level: 40, client_id: intruder.client_id, origin: internalOrigin });
    expect(JSON.stringify(warning)).not.toContain('/admin/purge');
    expect(JSON.stringify(logLines)).not.toMatch(/logout_token|eyJ/);
  });

  test('the authorization endpoint accepts POST (a form from the relying party), with single sign-on', async () => {
    const config = await discover(sesame, firstParty);
    const browser = new Browser();
    const { tokens } = await signIn(sesame, config, firstParty, credentials(), { scope: 'openid', browser, start: { post: true } });
    expect(tokens.claims()!.iss).toBe(sesame.issuer);
    // The session cookie comes along after the 303: the second POST goes straight back to the relying party.
    const again = await startAuthorization(config, firstParty, 'openid', { post: true });
    const { callback } = await passLogin(browser, sesame, again, { username: 'personne', password: 'rien' });
    expect(callback?.searchParams.get('code')).toBeTruthy();
    const second = await oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: again.verifier, expectedState: again.state });
    expect(second.claims()!.sub).toBe(tokens.claims()!.sub);
  });

  test('the end-session endpoint accepts POST; protocol POSTs keep their body rules and our forms keep CSRF', async () => {
    const config = await discover(sesame, firstParty);
    const { tokens, browser } = await signIn(sesame, config, firstParty, credentials(), { scope: 'openid' });
    const confirm = await browser.navigate(`${sesame.issuer}/session/end`, { form: { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/' } });
    expect(confirm.status).toBe(200);
    expect(visibleText(confirm.html)).toContain('Voulez-vous vous déconnecter ?');

    const form = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    const tooLarge = await call(`${sesame.issuer}/auth`, { method: 'POST', headers: form, body: `client_id=${firstParty.client_id}&state=${'a'.repeat(20_000)}` });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json).toMatchObject({ error: 'request_too_large' });
    const json = await call(`${sesame.issuer}/auth`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"client_id":"x"}' });
    expect(json.status).toBe(400);
    expect(json.json).toMatchObject({ error: 'invalid_request' });
    const page = await call(`${sesame.issuer}/auth`, { method: 'POST', headers: { 'content-type': 'text/plain', accept: 'text/html' }, body: 'client_id=x' });
    expect(page.status).toBe(400);
    expect(page.text).toContain('Cette demande de connexion n’a pas pu aboutir');
    // Our own forms still refuse a POST without the CSRF token.
    const login = await call(`${sesame.issuer}/interaction/abc/login`, { method: 'POST', headers: form, body: 'username=a&password=b' });
    expect(login.status).toBe(403);
  });

  test('a first-party client gets a refresh token for offline_access without prompt=consent and without a consent page', async () => {
    const config = await discover(sesame, firstParty);
    for (const prompt of [null, 'consent']) {
      const browser = new Browser();
      const start = await startAuthorization(config, firstParty, 'openid profile offline_access', { prompt });
      const first = await browser.navigate(start.url.toString(), {}, sesame.issuer);
      const loginPage = await browser.request(`${first.url}?profil=responsable`);
      const action = new URL(formAction(loginPage.html, /\/login$/)!, sesame.issuer).toString();
      const after = await browser.navigate(action, { form: { _csrf: inputValue(loginPage.html, '_csrf')!, profil: 'responsable', ...credentials() } }, sesame.issuer);
      // No consent page in between: the browser is sent straight back to the relying party.
      expect(after.location).toBeDefined();
      const tokens = await oidc.authorizationCodeGrant(config, new URL(after.location!), { pkceCodeVerifier: start.verifier, expectedState: start.state });
      expect(tokens.scope?.split(' ')).toContain('offline_access');
      expect(tokens.refresh_token).toBeDefined();
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).toBeDefined();
    }
  });

  test('a third-party client keeps the rule: offline_access needs prompt=consent and the person\'s consent', async () => {
    const config = await discover(sesame, thirdParty);
    const without = await signIn(sesame, config, thirdParty, credentials(), { start: { prompt: null } });
    expect(without.tokens.refresh_token).toBeUndefined();
    const browser = new Browser();
    const start = await startAuthorization(config, thirdParty, 'openid profile offline_access');
    const { callback } = await passLogin(browser, sesame, start, credentials());
    const tokens = await oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: start.verifier, expectedState: start.state });
    expect(tokens.refresh_token).toBeDefined();
  });

  test('discovery and JWKS take every URL from ISSUER, whatever the Host header or request target', async () => {
    for (const [target, host] of [
      ['/.well-known/openid-configuration', 'evil.example'],
      ['http://evil.example/.well-known/openid-configuration', 'evil.example'],
      ['/jwks', 'evil.example:8443'],
    ] as const) {
      const { status, body } = await rawGet(sesame.issuer, target, host);
      expect(status).toBe(200);
      expect(body).not.toContain('evil.example');
      if (!target.endsWith('/jwks')) {
        const document = JSON.parse(body) as Record<string, unknown>;
        const urls = Object.entries(document).filter(([, v]) => typeof v === 'string' && /^https?:/.test(v));
        expect(urls.length).toBeGreaterThan(5);
        for (const [, url] of urls) expect(String(url).startsWith(sesame.issuer)).toBe(true);
      }
    }
    // Every link discovery gives answers: service_documentation was a 404.
    const document = (await call(`${sesame.issuer}/.well-known/openid-configuration`)).json as Record<string, unknown>;
    if (document.service_documentation) expect((await call(String(document.service_documentation))).status).toBe(200);
  });

  test('a pushed request_uri works once', async () => {
    const config = await discover(sesame, firstParty);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: firstParty.redirect_uris[0]!,
      scope: 'openid',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    // The first use opens a sign-in; while it is still open, the same request_uri elsewhere is refused.
    const first = new Browser();
    const opened = await first.navigate(url.toString(), {}, sesame.issuer);
    expect(opened.status).toBe(200);
    for (let i = 0; i < 2; i += 1) {
      const replay = await new Browser().navigate(url.toString(), {}, sesame.issuer);
      const error = replay.location ? new URL(replay.location).searchParams.get('error') : undefined;
      if (error) expect(error).toBe('invalid_request_uri');
      else expect(replay.status).toBe(400);
      expect(replay.location ?? '').not.toContain('code=');
      expect(visibleText(replay.html)).not.toContain('Vous êtes :');
    }
    // The sign-in it opened still ends with a code.
    const form = await first.request(`${opened.url}?profil=responsable`);
    const done = await first.navigate(new URL(formAction(form.html, /\/login$/)!, sesame.issuer).toString(), { form: { _csrf: inputValue(form.html, '_csrf')!, profil: 'responsable', ...credentials() } }, sesame.issuer);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.access_token).toBeDefined();
  });

  test('token responses carry Pragma: no-cache beside Cache-Control: no-store', async () => {
    const config = await discover(sesame, firstParty);
    const { tokens } = await signIn(sesame, config, firstParty, credentials());
    for (const refreshToken of [tokens.refresh_token!, 'not-a-token']) {
      const response = await call(`${sesame.issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic(firstParty), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
      });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
    }
  });
});
