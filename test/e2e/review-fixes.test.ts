// Defects found in review, each proven fixed where a person or a relying party would notice it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBackchannelFetch } from '../../src/oidc/backchannel-fetch.js';
import { Browser, inputValue } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { call, expectJsonError, jsonBody } from '../support/http.js';
import { discover, oidc, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

describe.each(STORES)('review fixes (%s store)', (store) => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant;
  });
  afterAll(() => sesame?.shutdown());

  test('a revoking password reset by the school ends the sessions and refresh tokens of whoever knew the old password', async () => {
    const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
    // Without `revoke` a reset keeps the current password working (test/e2e/reset-revoke.test.ts).
    expect((await admin(sesame, 'POST', `/accounts/${identifiant}/reset-password`, { revoke: true })).status).toBe(200);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).rejects.toBeDefined();
  });

  test('a consent posted while the sign-in is still at its login step gets «page expirée», not «service indisponible»', async () => {
    const browser = new Browser();
    const start = await startAuthorization(config, client, 'openid');
    const profile = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    const form = await browser.request(`${profile.url}?profil=responsable`);
    const posted = await browser.request(`${profile.url}/consent`, { form: { _csrf: inputValue(form.html, '_csrf')!, decision: 'allow' } });
    expect(posted.status).toBe(400);
    expect(posted.html).toContain('Cette page a expiré');
  });

  test('a lone surrogate in client metadata is refused as invalid metadata, not a database error', async () => {
    const viaAdmin = await admin(sesame, 'POST', '/clients', { name: 'Appli \ud800', redirect_uris: ['http://127.0.0.1:9/cb'] });
    expect(viaAdmin.status).toBe(400);
    expect(viaAdmin.json).toMatchObject({ error: expect.any(String), error_description: expect.any(String) });
    const iat = (await admin(sesame, 'POST', '/initial-access-tokens', {})).json.initial_access_token;
    const body = '{"client_name":"Appli \\ud800","redirect_uris":["http://127.0.0.1:9/cb"]}';
    const viaRegistration = await call(`${sesame.issuer}/reg`, { ...jsonBody({}, { authorization: `Bearer ${iat}` }), body });
    expect(expectJsonError(viaRegistration, 400)).toBe('invalid_client_metadata');
  });
});

describe('back-channel fetch exemption', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200).end('ok')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  // oidc-provider hands its SSRF-guarding dispatcher in `options.dispatcher`; an unusable one stands in for it here:
  // a request that keeps it fails, a request that had it removed reaches the server.
  const guard = { dispatch: 'not a dispatcher' };

  // As if an operator had registered `${origin}/backchannel-logout` for one of its clients.
  const operatorUri = async (uri: string) => uri === `${origin}/backchannel-logout`;

  test('a back-channel logout POST to an operator client\'s URI on an allowed internal origin goes through', async () => {
    const fetchFor = createBackchannelFetch([origin], operatorUri);
    const response = await fetchFor(`${origin}/backchannel-logout`, { method: 'POST', body: 'logout_token=x', dispatcher: guard });
    expect(response.status).toBe(200);
  });

  test('a POST to another path of the same allowed origin keeps the guard', async () => {
    const fetchFor = createBackchannelFetch([origin], operatorUri);
    await expect(fetchFor(`${origin}/admin/delete-everything`, { method: 'POST', body: 'logout_token=x', dispatcher: guard })).rejects.toBeDefined();
  });

  test('a GET to the same origin (a client\'s jwks_uri or sector_identifier_uri) keeps the guard', async () => {
    const fetchFor = createBackchannelFetch([origin], operatorUri);
    await expect(fetchFor(`${origin}/jwks`, { method: 'GET', dispatcher: guard })).rejects.toBeDefined();
  });
});

describe('client addresses behind a trusted proxy', () => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;
  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { TRUST_PROXY: 'true', LOGIN_MAX_FAILURES: '2' });
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Inès', family_name: 'Roux', password: PASSWORD })).json.identifiant;
  });
  afterAll(() => sesame?.shutdown());

  test('a client that writes its own X-Forwarded-For entries cannot dodge the throttling', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      // The proxy appends the real address (203.0.113.7); the left entries are whatever the client wrote.
      const browser = new Browser({ 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` });
      const form = await openLoginForm(sesame, config, client, { browser });
      statuses.push((await postLogin(sesame, form, { username: identifiant, password: 'mauvais-mot-de-passe' })).status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });
});
