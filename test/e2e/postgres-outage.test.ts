// PostgreSQL goes away (its host unreachable: the test's TCP proxy in front of the machine's PostgreSQL is stopped,
// cutting every connection): a person at the login form gets the French «momentanément indisponible» page with
// Retry-After, a relying party's token call `temporarily_unavailable` in JSON, /readyz 503, the process stays up;
// when the database is back the next sign-in reaches the relying party, and nothing stored was lost.
import { Browser } from '../support/browser.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_PG_URL } from '../support/env.js';
import { call, expectFrenchPage } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { openDatabase } from '../../src/store/database.js';

const PASSWORD = 'Cartable-rouge-2026';

describe('PostgreSQL unreachable (through a TCP proxy the test stops)', () => {
  let sesame: TestSesame;
  let proxy: TcpProxy;
  let client: TestClient;
  let config: oidc.Configuration;
  let username: string;

  beforeAll(async () => {
    const target = new URL(TEST_PG_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const created = await createPostgresDatabase();
    const url = new URL(created.url);
    url.port = String(proxy.port);
    const db = await openDatabase({ databaseUrl: url.toString(), dataDir: 'memory://' });
    const database: TestDatabase = {
      kind: 'postgres',
      url: url.toString(),
      db,
      async drop() {
        await db.destroy();
        await created.drop();
      },
    };
    sesame = await startTestSesame(database);
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    username = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant as string;
  });

  afterAll(async () => {
    await proxy?.start().catch(() => undefined);
    await sesame?.shutdown();
    await proxy?.stop();
  });

  it('answers 503 while the database is gone and serves again, with nothing lost, when it is back', async () => {
    const form = await openLoginForm(sesame, config, client, { browser: new Browser() });
    await proxy.stop();

    const page = await postLogin(sesame, form, { username, password: PASSWORD });
    const text = expectFrenchPage(page, 503);
    expect(text).toMatch(/momentanément indisponible/);
    expect(page.headers.get('retry-after')).toBeTruthy();

    const token = await call(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` },
      body: `grant_type=authorization_code&code=abc&redirect_uri=${encodeURIComponent(client.redirect_uris[0]!)}`,
    });
    expect(token.status).toBe(503);
    expect(token.json).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    expect((await call(`${sesame.issuer}/readyz`)).status).toBe(503);
    expect((await call(`${sesame.issuer}/healthz`)).status).toBe(200);

    await proxy.start();
    expect((await call(`${sesame.issuer}/readyz`)).status).toBe(200);
    const again = await openLoginForm(sesame, config, client, { browser: new Browser() });
    const done = await postLogin(sesame, again, { username, password: PASSWORD });
    expect(new URL(done.location!).searchParams.get('code')).toBeTruthy();
    // The account and the client written before the outage are still there.
    expect((await admin(sesame, 'GET', `/clients/${client.client_id}`)).status).toBe(200);
  });
});
