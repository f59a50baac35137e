// A school resets a password: without --revoke the person keeps signing in with their password until they use the
// provisional one; with --revoke their password, sessions and tokens end at once and relying parties are told by
// back-channel logout. Also the session-ending module on its own (what recovery and password changes will call),
// on PGlite, PostgreSQL, and PostgreSQL with the short-lived state (and the account index) in Redis.
import * as jose from 'jose';
import pino from 'pino';
import { verifyPassword } from '../../src/accounts/passwords.js';
import { createEndAccountSessions } from '../../src/oidc/account-sessions.js';
import { createRedisAccountIndex } from '../../src/oidc/redis-adapter.js';
import { createSqlAccountIndex } from '../../src/oidc/sql-adapter.js';
import { openRedis } from '../../src/store/redis.js';
import { Browser } from '../support/browser.js';
import { STORES, type StoreKind } from '../support/databases.js';
import { redisEnv } from '../support/env.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { startLogoutReceiver, type LogoutReceiver } from '../support/logout-receiver.js';
import { admin, freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

const MODES: [string, StoreKind, () => Record<string, string>][] = [
  ...STORES.map((s): [string, StoreKind, () => Record<string, string>] => [s, s, () => ({})]),
  ['postgres+redis', 'postgres', redisEnv],
];

describe.each(MODES)('password reset and ending sessions (%s store)', (_mode, store, extraEnv) => {
  let sesame: TestSesame;
  let backchannel: LogoutReceiver;
  let portal: TestClient;
  let pairwise: TestClient;
  let portalConfig: oidc.Configuration;
  let pairwiseConfig: oidc.Configuration;
  let logoutTokens: string[] = [];
  let people = 0;

  beforeAll(async () => {
    backchannel = await startLogoutReceiver();
    logoutTokens = backchannel.tokens;
    sesame = await startTestSesame(store, { BACKCHANNEL_ALLOWED_ORIGINS: `${backchannel.origin}`, ...extraEnv() });
    portal = await registerClient(sesame, { name: 'Portail', backchannel_logout_uri: `${backchannel.origin}/portail/logout` });
    pairwise = await registerClient(sesame, { name: 'Téléservices', subject_type: 'pairwise', backchannel_logout_uri: `${backchannel.origin}/teleservices/logout` });
    portalConfig = await discover(sesame, portal);
    pairwiseConfig = await discover(sesame, pairwise);
  });

  afterAll(async () => {
    await sesame?.shutdown();
    backchannel?.close();
  });

  async function newPerson(): Promise<{ identifiant: string; sub: string }> {
    people += 1;
    const { json } = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: `Moreau${'x'.repeat(people)}`, password: PASSWORD });
    return { identifiant: json.identifiant, sub: json.sub };
  }

  /** Signs in at the portal (with a refresh token) and, in the same browser session, at the pairwise client. */
  async function signedInTwice(identifiant: string) {
    const browser = new Browser();
    const { tokens } = await signIn(sesame, portalConfig, portal, { username: identifiant, password: PASSWORD }, { browser });
    const second = await signIn(sesame, pairwiseConfig, pairwise, { username: identifiant, password: PASSWORD }, { browser, scope: 'openid' });
    expect(tokens.refresh_token).toBeDefined();
    return { browser, tokens, pairwiseTokens: second.tokens };
  }

  /** Whether the browser still holds a Sésame session: an authorization then goes straight back to the client. */
  async function stillSignedIn(browser: Browser): Promise<boolean> {
    const start = await startAuthorization(portalConfig, portal, 'openid');
    const page = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    return page.location !== undefined;
  }

  async function passwordSignsIn(identifiant: string, password: string): Promise<boolean> {
    const form = await openLoginForm(sesame, portalConfig, portal);
    const after = await postLogin(sesame, form, { username: identifiant, password });
    return after.location?.startsWith(portal.redirect_uris[0]!) ?? false;
  }

  const accountRow = (identifiant: string) =>
    sesame.sesame.db.selectFrom('accounts').select(['state', 'password_hash', 'provisional_password_hash']).where('identifiant', '=', identifiant).executeTakeFirstOrThrow();

  test('without --revoke the current password keeps working, and the account also has a provisional password', async () => {
    const { identifiant } = await newPerson();
    const { browser, tokens } = await signedInTwice(identifiant);
    const before = await accountRow(identifiant);
    logoutTokens.length = 0;

    const reset = await admin(sesame, 'POST', `/accounts/${identifiant}/reset-password`);
    expect(reset.status).toBe(200);
    expect(reset.json).toMatchObject({ identifiant, revoked: false, provisional_password: expect.stringMatching(/^[a-zA-Z2-9]{8}$/) });
    expect(reset.json.sessions_ended).toBeUndefined();

    expect(await passwordSignsIn(identifiant, PASSWORD)).toBe(true);
    const after = await accountRow(identifiant);
    expect(after).toMatchObject({ state: 'active', password_hash: before.password_hash });
    expect(await verifyPassword(after.provisional_password_hash!, reset.json.provisional_password)).toBe(true);
    // Nothing of the person's sign-ins ended.
    expect(await stillSignedIn(browser)).toBe(true);
    await expect(oidc.refreshTokenGrant(portalConfig, tokens.refresh_token!)).resolves.toHaveProperty('access_token');
    expect(logoutTokens).toHaveLength(0);
  });

  test('with --revoke the password, sessions and tokens end at once, and both relying parties are told', async () => {
    const { identifiant, sub } = await newPerson();
    const { browser, tokens, pairwiseTokens } = await signedInTwice(identifiant);
    logoutTokens.length = 0;
    // Whoever held the account had linked an upstream identity (FranceConnect-style): it must not outlive the reset.
    const links = () => sesame.sesame.db.selectFrom('upstream_links').select('sub').where('account_id', '=', sub).execute();
    await sesame.sesame.db.insertInto('upstream_links').values({ issuer: 'https://upstream.example', sub: `fc-${sub}`, account_id: sub }).execute();

    const reset = await admin(sesame, 'POST', `/accounts/${identifiant}/reset-password`, { revoke: true });
    expect(reset.status).toBe(200);
    expect(reset.json).toMatchObject({ identifiant, revoked: true, sessions_ended: true });
    expect(await links()).toEqual([]);

    expect(await passwordSignsIn(identifiant, PASSWORD)).toBe(false);
    expect(await accountRow(identifiant)).toMatchObject({ state: 'notifie', password_hash: null });
    await expect(oidc.refreshTokenGrant(portalConfig, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(portalConfig, tokens.access_token, sub)).rejects.toBeDefined();
    expect(await stillSignedIn(browser)).toBe(false);

    // One logout token per relying party, each with the subject that party knows and the session it was given.
    expect(logoutTokens).toHaveLength(2);
    const jwks = jose.createRemoteJWKSet(new URL(`${sesame.issuer}/jwks`));
    const verified = await Promise.all(logoutTokens.map((t) => jose.jwtVerify(t, jwks, { issuer: sesame.issuer })));
    const byAudience = new Map(verified.map(({ payload }) => [payload.aud, payload]));
    const portalIdToken = tokens.claims()!;
    const pairwiseIdToken = pairwiseTokens.claims()!;
    expect(byAudience.get(portal.client_id)).toMatchObject({ sub, sid: portalIdToken.sid });
    expect(byAudience.get(pairwise.client_id)).toMatchObject({ sub: pairwiseIdToken.sub, sid: pairwiseIdToken.sid });
    expect(pairwiseIdToken.sub).not.toBe(sub);
    expect(byAudience.get(pairwise.client_id)!.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
  });

  test('ending an active account’s sessions (what a password change will do) stops its tokens and sessions everywhere', async () => {
    const { identifiant, sub } = await newPerson();
    const first = await signedInTwice(identifiant);
    // A second device, and a refresh token that outlived its session (offline access).
    const { tokens: otherDevice } = await signIn(sesame, portalConfig, portal, { username: identifiant, password: PASSWORD });
    logoutTokens.length = 0;

    const ended = await sesame.sesame.endAccountSessions(sub);
    expect(ended).toMatchObject({ sessions: 2, notified: 3, failed: 0 });
    expect(ended.grants).toBeGreaterThanOrEqual(3);
    expect(logoutTokens).toHaveLength(3);

    // The account is still active: only the ending of its sessions can explain what follows.
    expect((await accountRow(identifiant)).state).toBe('active');
    expect(await stillSignedIn(first.browser)).toBe(false);
    for (const refresh of [first.tokens.refresh_token!, otherDevice.refresh_token!]) {
      await expect(oidc.refreshTokenGrant(portalConfig, refresh)).rejects.toMatchObject({ error: 'invalid_grant' });
    }
    await expect(oidc.fetchUserInfo(portalConfig, otherDevice.access_token, sub)).rejects.toBeDefined();
    await expect(oidc.fetchUserInfo(pairwiseConfig, first.pairwiseTokens.access_token, first.pairwiseTokens.claims()!.sub)).rejects.toBeDefined();
    // The password still works: a new sign-in starts afresh.
    expect(await passwordSignsIn(identifiant, PASSWORD)).toBe(true);

    // Somebody else's sign-ins are untouched.
    const other = await newPerson();
    const kept = await signIn(sesame, portalConfig, portal, { username: other.identifiant, password: PASSWORD });
    await sesame.sesame.endAccountSessions(sub);
    await expect(oidc.refreshTokenGrant(portalConfig, kept.tokens.refresh_token!)).resolves.toHaveProperty('access_token');
  });

  test('a relying party that does not answer is logged without secrets, and everything else still ends', async () => {
    const { identifiant, sub } = await newPerson();
    const { browser, tokens } = await signedInTwice(identifiant);
    const closed = await freePort();
    const silent = await registerClient(sesame, { name: 'Muet', backchannel_logout_uri: `http://127.0.0.1:${closed}/logout?cle=secrete` });
    await signIn(sesame, await discover(sesame, silent), silent, { username: identifiant, password: PASSWORD }, { browser, scope: 'openid' });
    logoutTokens.length = 0;

    // The module as the service builds it, with a logger whose lines the test reads.
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const redis = sesame.config.redisUrl ? await openRedis({ url: sesame.config.redisUrl, prefix: sesame.config.redisPrefix }, logger) : undefined;
    const endAccountSessions = createEndAccountSessions({
      provider: sesame.sesame.provider.get,
      index: redis ? createRedisAccountIndex(redis) : createSqlAccountIndex(sesame.sesame.db),
      logger,
    });
    const ended = await endAccountSessions(sub);
    await redis?.quit();
    expect(ended).toMatchObject({ sessions: 1, notified: 2, failed: 1 });
    expect(logoutTokens).toHaveLength(2);
    await expect(oidc.refreshTokenGrant(portalConfig, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'back-channel logout not delivered');
    expect(failures).toEqual([expect.objectContaining({ level: 40, clientId: silent.client_id, origin: `http://127.0.0.1:${closed}` })]);
    expect(lines.join('\n')).not.toMatch(/secrete|eyJ/);
  });

  test('reset-password: bad bodies are refused as JSON and change nothing', async () => {
    const { identifiant } = await newPerson();
    const before = await accountRow(identifiant);
    for (const body of [{ revoke: 'yes' }, { revoke: true, extra: 1 }, [1]]) {
      const answer = await admin(sesame, 'POST', `/accounts/${identifiant}/reset-password`, body);
      expect(answer).toMatchObject({ status: 400, json: { error: expect.any(String), error_description: expect.any(String) } });
    }
    expect(await accountRow(identifiant)).toEqual(before);
  });
});
