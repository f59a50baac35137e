// A real relying party (openid-client) signs a person in, refreshes, reads userinfo and signs out, against
// PGlite, PostgreSQL, and PostgreSQL with the short-lived state in Redis.
import * as jose from 'jose';
import { Browser, formAction, inputValue } from '../support/browser.js';
import { STORES, type StoreKind } from '../support/databases.js';
import { redisEnv } from '../support/env.js';
import { discover, oidc, passLogin, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { startLogoutReceiver, type LogoutReceiver } from '../support/logout-receiver.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { visibleText } from '../support/http.js';

const PASSWORD = 'Cartable-rouge-2026';

const MODES: [string, StoreKind, () => Record<string, string>][] = [
  ...STORES.map((s): [string, StoreKind, () => Record<string, string>] => [s, s, () => ({})]),
  ['postgres+redis', 'postgres', redisEnv],
];

describe.each(MODES)('OpenID Connect sign-in (%s store)', (_mode, store, extraEnv) => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;
  let sub: string;
  let backchannel: LogoutReceiver;
  let logoutTokens: string[] = [];

  beforeAll(async () => {
    backchannel = await startLogoutReceiver();
    logoutTokens = backchannel.tokens;
    sesame = await startTestSesame(store, { BACKCHANNEL_ALLOWED_ORIGINS: `${backchannel.origin}`, ...extraEnv() });
    client = await registerClient(sesame, { backchannel_logout_uri: `${backchannel.origin}/backchannel-logout` });
    config = await discover(sesame, client);
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', email: 'claire@example.org', password: PASSWORD });
    identifiant = created.json.identifiant;
    sub = created.json.sub;
  });

  afterAll(async () => {
    await sesame?.shutdown();
    backchannel?.close();
  });

  test('authorization code with PKCE gives an RS256 ID token, userinfo claims, and a rotating refresh token', async () => {
    const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(sub);
    expect(claims.iss).toBe(sesame.issuer);
    // RFC 8176: a relying party can tell a password sign-in from a passkey's.
    expect(claims.amr).toEqual(['pwd']);
    expect(jose.decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');

    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
    expect(info).toMatchObject({ sub, given_name: 'Claire', family_name: 'Moreau', preferred_username: identifiant });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    // Presenting the rotated token again is treated as theft: the grant is revoked, the newest token dies too.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(config, refreshed.access_token, sub)).rejects.toBeDefined();
  });

  test('short-lived state (sessions, grants, tokens) lives in Redis when configured, clients stay in SQL', async () => {
    await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
    const rows = await sesame.sesame.db.selectFrom('oidc_payloads').select('model').distinct().execute();
    const models = rows.map((r) => r.model).sort();
    const prefix = sesame.config.redisUrl ? sesame.config.redisPrefix : undefined;
    if (!prefix) {
      expect(models).toEqual(expect.arrayContaining(['Client', 'Grant', 'RefreshToken', 'Session']));
      return;
    }
    expect(models).toEqual(['Client']);
    const { Redis } = await import('ioredis');
    const redis = new Redis(sesame.config.redisUrl!);
    try {
      const keys = await redis.keys(`${prefix}oidc:*`);
      expect(keys.some((k) => k.startsWith(`${prefix}oidc:Session:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${prefix}oidc:RefreshToken:`))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  test('an unknown address gets our French 404 page (or JSON for machines), not the provider\'s plain one', async () => {
    const page = await fetch(`${sesame.issuer}/activer-compte-inexistant`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    const html = await page.text();
    expect(html).toContain('lang="fr"');
    expect(html).toContain('Cette page n’existe pas');
    const json = await fetch(`${sesame.issuer}/nope`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: 'not_found' });
    // The provider's own endpoints still answer.
    expect((await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });

  test('the provider\'s error pages tell an expired sign-in from a faulty request', async () => {
    const browser = new Browser();
    const start = await startAuthorization(config, client, 'openid');
    const interaction = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    const uid = new URL(interaction.url).pathname.split('/').pop();
    browser.clearCookies();
    const resumed = await browser.request(`${sesame.issuer}/auth/${uid}`);
    expect(resumed.status).toBe(400);
    expect(resumed.html).toContain('Cette page a expiré');
    const faulty = await browser.request(`${sesame.issuer}/auth?client_id=${client.client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://ailleurs.example/cb')}`);
    expect(faulty.status).toBe(400);
    expect(faulty.html).toContain('Cette demande de connexion n’a pas pu aboutir');
    expect(faulty.html).not.toContain('Cette page a expiré');
  });

  test('an authorization code works once', async () => {
    const browser = new Browser();
    const start = await startAuthorization(config, client, 'openid');
    const { callback } = await passLogin(browser, sesame, start, { username: identifiant, password: PASSWORD });
    await oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: start.verifier, expectedState: start.state });
    await expect(oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: start.verifier, expectedState: start.state })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  test('a client registered for ES256 gets ES256 ID tokens that verify against the published keys', async () => {
    // An integrator asks for ES256 in its registration metadata (RFC 7591), with an operator's initial access token.
    const iat = (await admin(sesame, 'POST', '/initial-access-tokens', {})).json.initial_access_token;
    const registered = await fetch(`${sesame.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${iat}` },
      body: JSON.stringify({ client_name: 'Appli ES256', redirect_uris: ['http://127.0.0.1:9/callback'], id_token_signed_response_alg: 'ES256', scope: 'openid' }),
    });
    expect(registered.status).toBe(201);
    const es = (await registered.json()) as TestClient;
    const esConfig = await discover(sesame, es, { id_token_signed_response_alg: 'ES256' });
    const { tokens } = await signIn(sesame, esConfig, es, { username: identifiant, password: PASSWORD }, { scope: 'openid' });
    expect(jose.decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
    const jwks = jose.createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`));
    const { payload } = await jose.jwtVerify(tokens.id_token!, jwks, { issuer: sesame.issuer, audience: es.client_id });
    expect(payload.sub).toBe(sub);
  });

  test('a wrong password and an unknown identifiant get the same neutral answer', async () => {
    const answers = [];
    for (const credentials of [{ username: identifiant, password: 'pas-le-bon-mot-de-passe' }, { username: 'personne.inconnue', password: 'pas-le-bon-mot-de-passe' }]) {
      const start = await startAuthorization(config, client, 'openid');
      const { callback, page } = await passLogin(new Browser(), sesame, start, credentials);
      expect(callback).toBeUndefined();
      answers.push({ status: page!.status, error: /<div class="error-summary"[\s\S]*?<\/div>/.exec(page!.html)?.[0].replace(/sesame\.csrf|value="[^"]*"/g, '') });
    }
    expect(answers[0]!.status).toBe(401);
    expect(answers[0]!.error).toContain('L’identifiant ou le mot de passe est incorrect');
    expect(answers[1]).toEqual(answers[0]);
  });

  test('RP-initiated logout asks for confirmation, signs out and notifies relying parties by back-channel', async () => {
    const { tokens, browser } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: 'openid' });
    logoutTokens.length = 0;
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/' });
    const confirm = await browser.request(endSession.toString());
    expect(confirm.status).toBe(200);
    expect(visibleText(confirm.html)).toContain('Voulez-vous vous déconnecter ?');
    const action = formAction(confirm.html, /session\/end\/confirm/)!;
    const done = await browser.request(new URL(action, sesame.issuer).toString(), { form: { xsrf: inputValue(confirm.html, 'xsrf')!, logout: 'yes' } });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://127.0.0.1:9/');
    expect(logoutTokens).toHaveLength(1);
    const jwks = jose.createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`));
    const { payload } = await jose.jwtVerify(logoutTokens[0]!, jwks, { issuer: sesame.issuer, audience: client.client_id });
    expect(payload.sub).toBe(sub);
    expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);

    // The session is gone: a new authorization asks for the password again.
    const again = await startAuthorization(config, client, 'openid');
    const page = await browser.navigate(again.url.toString(), {}, sesame.issuer);
    expect(page.location).toBeUndefined();
    expect(visibleText(page.html)).toContain('Vous êtes :');
  });
});
