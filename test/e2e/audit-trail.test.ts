// The audit trail seen from outside: a real relying party's sign-in, a wrong password, a logout and admin actions
// leave events an operator reads through the admin API and `sesame audit`; protocol failures leave one warn line
// each without secrets; every answer carries X-Request-Id, the same id as its log lines and audit events.
import { Writable } from 'node:stream';
import pino from 'pino';
import { Browser, formAction, inputValue } from '../support/browser.js';
import { cliEnv, runCli } from '../support/cli.js';
import { STORES, type StoreKind } from '../support/databases.js';
import { discover, oidc, passLogin, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

interface LogLine {
  level: number;
  msg: string;
  request_id?: string;
  [key: string]: unknown;
}

interface AuditRow {
  kind: string;
  outcome: string;
  account_id: string | null;
  client_id: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

/** The events matching `query`, waiting (by polling, never by a duration asserted) for `until` to hold. */
async function auditEvents(sesame: TestSesame, query: string, until: (rows: AuditRow[]) => boolean = () => true): Promise<AuditRow[]> {
  for (let i = 0; ; i += 1) {
    const { status, json } = await admin(sesame, 'GET', `/audit?${query}`);
    expect(status).toBe(200);
    if (until(json.events) || i === 50) return json.events as AuditRow[];
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(STORES)('audit trail end to end (%s)', (store: StoreKind) => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;
  let accountId: string;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as LogLine), done()) });
    sesame = await startTestSesame(store, {}, { logger: pino({ level: 'info' }, sink) });
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', email: 'claire@example.org', password: PASSWORD });
    identifiant = created.json.identifiant;
    accountId = created.json.id ?? created.json.sub;
  });
  afterAll(() => sesame?.shutdown());

  test('a real sign-in records a success with the account, the client and the request id', async () => {
    await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
    const [event] = await auditEvents(sesame, `account=${accountId}&kind=signin.success`, (rows) => rows.length > 0);
    expect(event).toMatchObject({ outcome: 'success', account_id: accountId, client_id: client.client_id, details: { via: 'password' } });
    expect(event!.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a wrong password records a failure with its reason class, and nothing of what was typed', async () => {
    const start = await startAuthorization(config, client);
    const { page } = await passLogin(new Browser(), sesame, start, { username: identifiant, password: 'Mauvais-mot-de-passe-1' });
    expect(page?.status).toBe(401);
    const rows = await auditEvents(sesame, `account=${accountId}&kind=signin.failure`, (r) => r.length > 0);
    expect(rows[0]).toMatchObject({ outcome: 'failure', client_id: client.client_id, details: { reason: 'wrong_credentials' } });
    const all = JSON.stringify(await auditEvents(sesame, 'limit=1000'));
    expect(all).not.toContain('Mauvais-mot-de-passe-1');
    expect(all).not.toContain(PASSWORD);
  });

  test('a logout through the end-session endpoint is recorded', async () => {
    const { tokens, browser } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: 'openid' });
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/' });
    const confirm = await browser.request(endSession.toString());
    const action = formAction(confirm.html, /session\/end\/confirm/)!;
    const done = await browser.request(new URL(action, sesame.issuer).toString(), { form: { xsrf: inputValue(confirm.html, 'xsrf')!, logout: 'yes' } });
    expect(done.status).toBe(303);
    const rows = await auditEvents(sesame, `account=${accountId}&kind=logout`, (r) => r.length > 0);
    expect(rows[0]).toMatchObject({ outcome: 'success', account_id: accountId, client_id: client.client_id });
  });

  test('admin actions are recorded with their route and ids, never their body or a secret', async () => {
    const created = await registerClient(sesame, { name: 'Cahier de textes' });
    expect(created.client_secret).toBeDefined();
    expect((await admin(sesame, 'POST', '/keys/rotate')).status).toBe(200);
    expect((await admin(sesame, 'DELETE', '/clients/nope')).status).toBe(404);
    const refused = await fetch(`${sesame.adminUrl}/admin/api/v1/keys/rotate`, { method: 'POST', headers: { authorization: 'Bearer wrong' } });
    expect(refused.status).toBe(401);

    const rows = await auditEvents(sesame, 'kind=admin.&limit=1000', (r) => r.some((e) => e.kind === 'admin.unauthorized'));
    const kinds = rows.map((r) => `${r.kind} ${r.outcome}`);
    expect(kinds).toEqual(expect.arrayContaining([
      'admin.clients.create success', 'admin.keys.rotate success', 'admin.clients.delete failure', 'admin.unauthorized failure', 'admin.accounts.create success',
    ]));
    expect(rows.find((r) => r.kind === 'admin.clients.delete')!.details).toEqual({ method: 'DELETE', route: '/clients/:id', status: 404, ids: { id: 'nope' } });
    expect(rows.find((r) => r.kind === 'admin.keys.rotate')!.details).toEqual({ method: 'POST', route: '/keys/rotate', status: 200 });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(created.client_secret);
    expect(text).not.toContain('Cahier de textes');
    expect(text).not.toContain(PASSWORD);
    // Reading the trail is not an action: no event for the GETs above.
    expect(rows.some((r) => r.details.method === 'GET')).toBe(false);
  });

  test('the admin API filters and refuses bad queries with a JSON error', async () => {
    const none = await auditEvents(sesame, `account=${accountId}&since=2999-01-01`);
    expect(none).toEqual([]);
    const signins = await auditEvents(sesame, `account=${accountId}&kind=signin.&limit=2`);
    expect(signins).toHaveLength(2);
    expect(signins.every((r) => r.kind.startsWith('signin.') && r.account_id === accountId)).toBe(true);
    for (const bad of ['limit=0', 'limit=1001', 'limit=abc', 'since=hier', 'since=2026-13-45', 'until=2026-09-01%27%20or%201=1', 'kind=a%20b', `kind=${'a'.repeat(500)}`, 'account=%00', 'colour=red', 'since=2026-09-01&since=2026-09-02']) {
      const { status, json } = await admin(sesame, 'GET', `/audit?${bad}`);
      expect([bad, status, json.error]).toEqual([bad, 400, 'invalid_request']);
    }
    const anonymous = await fetch(`${sesame.adminUrl}/admin/api/v1/audit`);
    expect(anonymous.status).toBe(401);
  });

  test('sesame audit prints the events of an account as a table, or JSON with --json', async () => {
    const env = cliEnv(sesame);
    const json = await runCli(['audit', '--account', accountId, '--since', '2020-01-01', '--kind', 'signin.success', '--json'], { env });
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as AuditRow[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.kind === 'signin.success' && r.account_id === accountId)).toBe(true);

    const human = await runCli(['audit', '--account', accountId, '--since', '2020-01-01'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^at\s+kind\s+outcome\s+account\s+client\s+address\s+details$/);
    expect(human.stdout).toContain('signin.failure');
    expect(human.stdout).toContain('reason=wrong_credentials');

    const bad = await runCli(['audit', '--since', 'hier'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/2026-09-01/);
  });

  test('a wrong client secret at /token: one warn line without the secret, and the X-Request-Id of the answer on it', async () => {
    const secret = `wrong-${'s'.repeat(40)}`;
    const response = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'made-up-code', redirect_uri: client.redirect_uris[0]!, client_id: client.client_id, client_secret: secret }),
    });
    expect(response.status).toBe(401);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const mine = lines.filter((l) => l.request_id === requestId);
    expect(mine).toEqual([expect.objectContaining({ level: 40, msg: 'protocol failure: client_authentication_failed', client_id: client.client_id, error: 'invalid_client' })]);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  test('a code presented twice: a warn line, the grant revoked, and token reuse recorded', async () => {
    const { callback, start } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
    const code = callback.searchParams.get('code')!;
    const replay = await fetch(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: start.redirectUri, code_verifier: start.verifier }),
    });
    expect(replay.status).toBe(400);
    const requestId = replay.headers.get('x-request-id');
    const mine = lines.filter((l) => l.request_id === requestId && l.level >= 40);
    expect(mine).toEqual([expect.objectContaining({ msg: 'protocol failure: authorization_code_replayed', client_id: client.client_id })]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(code);
    expect(text).not.toContain(client.client_secret!);
    expect(text).not.toContain(start.verifier);
    const rows = await auditEvents(sesame, 'kind=token.reuse_detected', (r) => r.some((e) => e.request_id === requestId));
    expect(rows.find((e) => e.request_id === requestId)).toMatchObject({ outcome: 'failure', client_id: client.client_id, details: { via: 'authorization_code' } });
    const revoked = await auditEvents(sesame, 'kind=grant.revoked', (r) => r.some((e) => e.request_id === requestId));
    expect(revoked.find((e) => e.request_id === requestId)?.details).toMatchObject({ via: 'token' });
  });

  test('every answer carries an X-Request-Id; without a trusted proxy an incoming one is replaced', async () => {
    const page = await fetch(`${sesame.issuer}/`, { headers: { 'x-request-id': 'from-the-browser-1234' } });
    const id = page.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const discovery = await fetch(`${sesame.issuer}/.well-known/openid-configuration`);
    expect(discovery.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await fetch(`${sesame.issuer}/nulle-part`);
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const adminAnswer = await fetch(`${sesame.adminUrl}/admin/api/v1/keys`, { headers: { 'x-request-id': 'from-the-browser-1234' } });
    expect(adminAnswer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('request ids behind a trusted proxy', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { TRUST_PROXY: 'true' });
  });
  afterAll(() => sesame?.shutdown());

  test('a sane id from the proxy is kept; a hostile one is replaced', async () => {
    const kept = await fetch(`${sesame.issuer}/`, { headers: { 'x-request-id': 'proxy-7f3a9c1e-0001' } });
    expect(kept.headers.get('x-request-id')).toBe('proxy-7f3a9c1e-0001');
    for (const hostile of ['a b c d e f g h', 'x'.repeat(500), 'short', '<script>alert(1)</script>', 'id\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9']) {
      const answer = await fetch(`${sesame.issuer}/`, { headers: { 'x-request-id': encodeURI(hostile).length === hostile.length ? hostile : encodeURIComponent(hostile) } });
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
