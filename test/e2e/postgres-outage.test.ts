// PostgreSQL goes away (its host unreachable: the test's TCP proxy in front of the machine's PostgreSQL is stopped,
// cutting every connection): a person at the login form gets the French «momentanément indisponible» page with
// Retry-After, a relying party's token call `temporarily_unavailable` in JSON, /readyz 503, the process stays up;
// when the database is back the next sign-in reaches the relying party, and nothing stored was lost: no account,
// client or directory row changed (counted and checksummed on a connection of the test's own, not through the cut),
// every audit event is still there and one recorded during the outage is written once the database is back, and
// a parent's activation in progress answers 503 during the outage and resumes where it was afterwards.
import { Browser } from '../support/browser.js';
import { lastCode, post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { auditEvents, durableFingerprint } from '../support/durable-rows.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_PG_URL } from '../support/env.js';
import { call, expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { clientAndParent, oidc, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { openDatabase, type Db } from '../../src/store/database.js';

const PASSWORD = 'Cartable-rouge-2026';

describe('PostgreSQL unreachable (through a TCP proxy the test stops)', () => {
  let sesame: TestSesame;
  let proxy: TcpProxy;
  let client: TestClient;
  let config: oidc.Configuration;
  let username: string;
  // The test's own look at the database, bypassing the proxy it stops.
  let direct: Db;

  beforeAll(async () => {
    const target = new URL(TEST_PG_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const created = await createPostgresDatabase();
    direct = await openDatabase({ databaseUrl: created.url, dataDir: 'memory://' });
    const url = new URL(created.url);
    url.port = String(proxy.port);
    const db = await openDatabase({ databaseUrl: url.toString(), dataDir: 'memory://' });
    const database: TestDatabase = {
      kind: 'postgres',
      url: url.toString(),
      db,
      async drop() {
        await db.destroy();
        await direct.destroy();
        await created.drop();
      },
    };
    sesame = await startTestSesame(database, { ACTIVATION_MIN_RESPONSE_MS: '0' });
    ({ client, config, username } = await clientAndParent(sesame, PASSWORD));
  });

  afterAll(async () => {
    await proxy?.start().catch(() => undefined);
    await sesame?.shutdown();
    await proxy?.stop();
  });

  it('answers 503 while the database is gone and serves again, with nothing lost, when it is back', async () => {
    const form = await openLoginForm(sesame, config, client, { browser: new Browser() });
    // A parent at the code step of an activation when the database goes.
    const mobile = uniqueMobile();
    await addFamily(direct, { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    const parent = new Browser();
    const start = await parent.navigate(`${sesame.issuer}/activation`);
    const codePage = await post(parent, sesame.issuer, start, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    const code = await lastCode(sesame.dataDir, mobile.e164);
    await sesame.sesame.audit.flush();
    const durableBefore = await durableFingerprint(direct);
    const eventsBefore = await auditEvents(direct);
    expect(eventsBefore.length).toBeGreaterThan(0);
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
    const during = await post(parent, sesame.issuer, codePage, '/activation/code', { code });
    expect(during.status).toBe(503);
    expect(visibleText(during.html)).toMatch(/momentanément indisponible/);
    // An event recorded while the database is away waits in the trail's buffer; nothing durable moved.
    sesame.sesame.audit.record({ kind: 'signin.failure', outcome: 'failure', details: { reason: 'outage-test' } });
    await sesame.sesame.audit.flush();
    expect(sesame.sesame.audit.stats().pending).toBeGreaterThan(0);
    expect(await durableFingerprint(direct)).toEqual(durableBefore);

    await proxy.start();
    expect((await call(`${sesame.issuer}/readyz`)).status).toBe(200);
    // Back: the same rows, every earlier event, and the one recorded during the outage, written now.
    expect(await durableFingerprint(direct)).toEqual(durableBefore);
    await sesame.sesame.audit.flush();
    expect(sesame.sesame.audit.stats()).toEqual({ pending: 0, dropped: 0 });
    const eventsAfter = await auditEvents(direct);
    expect(eventsAfter).toEqual(expect.arrayContaining(eventsBefore));
    expect(eventsAfter.length).toBe(eventsBefore.length + 1);
    // The parent's activation resumes where it was: the same code (no try was spent by the 503) opens step 3.
    const resumed = await post(parent, sesame.issuer, codePage, '/activation/code', { code });
    expect(visibleText(resumed.html)).toContain('Activer mon compte Étape 3 sur 4');
    const again = await openLoginForm(sesame, config, client, { browser: new Browser() });
    const done = await postLogin(sesame, again, { username, password: PASSWORD });
    expect(new URL(done.location!).searchParams.get('code')).toBeTruthy();
    // The account and the client written before the outage are still there.
    expect((await admin(sesame, 'GET', `/clients/${client.client_id}`)).status).toBe(200);
  });
});
