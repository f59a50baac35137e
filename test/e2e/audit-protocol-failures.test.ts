// Protocol failures an operator must see, each one warn line from oidc-provider's events (src/oidc/provider-events.ts)
// and, where it means theft or a failed delivery, an audit event: refresh token reuse, PKCE mismatch, an unknown
// redirect_uri, a lockout, a back-channel logout that did not arrive. One store: these are provider events, the same
// whichever store keeps the records (audit-trail.test.ts runs the shared paths on both).
import { Writable } from 'node:stream';
import pino from 'pino';
import { Browser, formAction, inputValue } from '../support/browser.js';
import { discover, oidc, passLogin, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

interface LogLine {
  level: number;
  msg: string;
  request_id?: string;
  [key: string]: unknown;
}

describe('protocol failures and security events', () => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;
  let accountId: string;
  let deadPort: number;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as LogLine), done()) });
    // Nothing listens there: a back-channel logout to it fails.
    deadPort = await freePort();
    sesame = await startTestSesame('embedded', { LOGIN_MAX_FAILURES: '2', BACKCHANNEL_ALLOWED_ORIGINS: `http://127.0.0.1:${deadPort}` }, { logger: pino({ level: 'info' }, sink) });
    client = await registerClient(sesame, { backchannel_logout_uri: `http://127.0.0.1:${deadPort}/backchannel-logout` });
    config = await discover(sesame, client);
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Paul', family_name: 'Girard', password: PASSWORD });
    identifiant = created.json.identifiant;
    accountId = created.json.id ?? created.json.sub;
  });
  afterAll(() => sesame?.shutdown());

  async function events(query: string, until: (rows: any[]) => boolean): Promise<any[]> {
    for (let i = 0; ; i += 1) {
      const { json } = await admin(sesame, 'GET', `/audit?${query}`);
      if (until(json.events) || i === 50) return json.events;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const warnsOf = (requestId: string | null) => lines.filter((l) => l.request_id === requestId && l.level === 40);

  test('a refresh token presented twice: warn line, grant revoked, reuse recorded on the account', async () => {
    const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
    await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const reuse = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
    });
    expect(reuse.status).toBe(400);
    const requestId = reuse.headers.get('x-request-id');
    expect(warnsOf(requestId)).toEqual([expect.objectContaining({ msg: 'protocol failure: refresh_token_reused', client_id: client.client_id, error: 'invalid_grant' })]);
    expect(JSON.stringify(lines)).not.toContain(tokens.refresh_token!);
    const reused = await events('kind=token.reuse_detected', (r) => r.some((e) => e.request_id === requestId));
    expect(reused.find((e) => e.request_id === requestId)).toMatchObject({ account_id: accountId, client_id: client.client_id, details: { via: 'refresh_token' } });
    const revoked = await events('kind=grant.revoked', (r) => r.some((e) => e.request_id === requestId));
    expect(revoked.find((e) => e.request_id === requestId)).toMatchObject({ account_id: accountId, details: { via: 'token' } });
  });

  test('a code_verifier that does not match the challenge: warn line without the verifier', async () => {
    const start = await startAuthorization(config, client);
    const { callback } = await passLogin(new Browser(), sesame, start, { username: identifiant, password: PASSWORD });
    const wrongVerifier = oidc.randomPKCECodeVerifier();
    const answer = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code: callback!.searchParams.get('code')!, redirect_uri: start.redirectUri, code_verifier: wrongVerifier,
        client_id: client.client_id, client_secret: client.client_secret!,
      }),
    });
    expect(answer.status).toBe(400);
    expect(warnsOf(answer.headers.get('x-request-id'))).toEqual([expect.objectContaining({ msg: 'protocol failure: pkce_mismatch', client_id: client.client_id })]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(wrongVerifier);
    expect(text).not.toContain(client.client_secret!);
  });

  test('an unregistered redirect_uri at the authorization endpoint: warn line', async () => {
    const start = await startAuthorization(config, client);
    start.url.searchParams.set('redirect_uri', 'https://attacker.example/steal');
    const answer = await fetch(start.url, { redirect: 'manual' });
    expect(answer.status).toBe(400);
    expect(warnsOf(answer.headers.get('x-request-id'))).toEqual([expect.objectContaining({ msg: 'protocol failure: invalid_redirect_uri', client_id: client.client_id })]);
  });

  test('«Trop de tentatives» is recorded as a lockout on the account', async () => {
    const browser = new Browser();
    for (let i = 0; i < 3; i += 1) {
      const { page } = await passLogin(browser, sesame, await startAuthorization(config, client), { username: identifiant, password: `Faux-${i}-mot-de-passe` });
      expect(page?.status).toBe(i < 2 ? 401 : 429);
    }
    const locked = await events(`account=${accountId}&kind=signin.locked`, (r) => r.length > 0);
    expect(locked[0]).toMatchObject({ outcome: 'failure', details: { reason: 'rate_limited' } });
    const failures = await events(`account=${accountId}&kind=signin.failure`, (r) => r.length >= 2);
    expect(failures).toHaveLength(2);
  });

  test('a back-channel logout that is not delivered is recorded', async () => {
    const other = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Inès', family_name: 'Roux', password: PASSWORD });
    const otherId = other.json.id ?? other.json.sub;
    const { tokens, browser } = await signIn(sesame, config, client, { username: other.json.identifiant, password: PASSWORD }, { scope: 'openid' });
    const confirm = await browser.request(oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! }).toString());
    const action = formAction(confirm.html, /session\/end\/confirm/)!;
    await browser.request(new URL(action, sesame.issuer).toString(), { form: { xsrf: inputValue(confirm.html, 'xsrf')!, logout: 'yes' } });
    const failed = await events(`account=${otherId}&kind=backchannel.failed`, (r) => r.length > 0);
    expect(failed[0]).toMatchObject({ outcome: 'failure', client_id: client.client_id });
    expect(lines.some((l) => l.msg === 'back-channel logout not delivered' && l.client_id === client.client_id)).toBe(true);
  });
});
