// Redis dies in the middle of the morning: every request that needs it answers 503 at once (a French page for a
// person, `temporarily_unavailable` for a relying party) instead of a 500 or a request hanging in ioredis's offline
// queue; /readyz says so; the process stays up; when Redis is back the same sign-in page works again by itself.
// Redis here is the test's own redis-server on a spare loopback port, killed and restarted (empty: what lived only
// in Redis is gone). Across the outage no account, client or directory row changes and no audit event is lost; an
// activation in progress answers 503 while Redis is down, and afterwards (its flow gone with Redis) tells the parent
// to start again.
import { Browser } from '../support/browser.js';
import { post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { auditEvents, durableFingerprint } from '../support/durable-rows.js';
import { call, expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { clientAndParent, oidc, type TestClient } from '../support/relying-party.js';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startRedisProcess, type RedisProcess } from '../support/redis-servers.js';

const PASSWORD = 'Cartable-rouge-2026';

describe('Redis unreachable (postgres + a test-owned redis-server)', () => {
  let sesame: TestSesame;
  let redis: RedisProcess;
  let redisPort: number;
  let client: TestClient;
  let config: oidc.Configuration;
  let username: string;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedisProcess([], redisPort);
    sesame = await startTestSesame('postgres', { REDIS_URL: `redis://127.0.0.1:${redisPort}`, ACTIVATION_MIN_RESPONSE_MS: '0' });
    ({ client, config, username } = await clientAndParent(sesame, PASSWORD));
  });

  afterAll(async () => {
    await sesame?.shutdown();
    await redis?.stop();
  });

  it('answers 503 in French or in JSON while Redis is down, then serves again when it is back', async () => {
    const browser = new Browser();
    const form = await openLoginForm(sesame, config, client, { browser });
    // A parent at the code step of an activation when Redis dies.
    const mobile = uniqueMobile();
    await addFamily(sesame.database.db, { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    const parent = new Browser();
    const start = await parent.navigate(`${sesame.issuer}/activation`);
    const codePage = await post(parent, sesame.issuer, start, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    await sesame.sesame.smsQueue.drain();
    await sesame.sesame.audit.flush();
    const durableBefore = await durableFingerprint(sesame.database.db);
    const eventsBefore = await auditEvents(sesame.database.db);
    expect(eventsBefore.length).toBeGreaterThan(0);
    await redis.stop();

    // A person at the login form: a French page saying the service is unavailable, not «Panne» with a 500.
    const page = await postLogin(sesame, form, { username, password: PASSWORD });

    const text = expectFrenchPage(page, 503);
    expect(text).toMatch(/momentanément indisponible/);
    expect(page.headers.get('retry-after')).toBeTruthy();

    // A relying party starting a sign-in gets the protocol's answer at its redirect URI (RFC 6749 4.1.2.1), and
    // its token endpoint call a 503 in JSON: both `temporarily_unavailable`, something it can retry.
    const authorize = await call(`${sesame.issuer}/auth?client_id=${client.client_id}&response_type=code&scope=openid&state=s1&redirect_uri=${encodeURIComponent(client.redirect_uris[0]!)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
    expect(authorize.status).toBe(303);
    const back = new URL(authorize.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(client.redirect_uris[0]);
    expect(back.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(back.searchParams.get('state')).toBe('s1');
    const token = await call(`${sesame.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` },
      body: 'grant_type=authorization_code&code=abc&redirect_uri=' + encodeURIComponent(client.redirect_uris[0]!),
    });
    expect(token.status).toBe(503);
    expect(token.headers.get('content-type')).toMatch(/json/);
    expect(token.json).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });

    const ready = await call(`${sesame.issuer}/readyz`);
    expect(ready.status).toBe(503);

    // The parent's code: the flow lives in Redis, so the same French 503, and no try spent, no account written.
    const during = await post(parent, sesame.issuer, codePage, '/activation/code', { code: '000000' });
    expect(visibleText(during.html)).toMatch(/momentanément indisponible/);
    expect(during.status).toBe(503);

    // Nothing durable moved during the outage, and every event recorded before it is still there.
    await sesame.sesame.audit.flush();
    expect(await durableFingerprint(sesame.database.db)).toEqual(durableBefore);
    expect(await auditEvents(sesame.database.db)).toEqual(expect.arrayContaining(eventsBefore));

    // Redis comes back on the same port: no restart of Sésame, a new sign-in goes through to the callback.
    redis = await startRedisProcess([], redisPort);
    let readyAgain = 503;
    for (let i = 0; i < 50 && readyAgain !== 200; i += 1) {
      readyAgain = (await call(`${sesame.issuer}/readyz`)).status;
      if (readyAgain !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(readyAgain).toBe(200);
    const again = await openLoginForm(sesame, config, client, { browser: new Browser() });
    const done = await postLogin(sesame, again, { username, password: PASSWORD });
    expect(new URL(done.location!).searchParams.get('code')).toBeTruthy();

    // The restarted Redis is empty: the activation's flow went with it, and the parent is told to start again.
    const after = await post(parent, sesame.issuer, codePage, '/activation/code', { code: '000000' });
    expect(after.status).toBe(400);
    expect(visibleText(after.html)).toContain('Votre demande d’activation a expiré. Recommencez depuis « Activer mon compte ».');
    await sesame.sesame.audit.flush();
    const eventsAfter = await auditEvents(sesame.database.db);
    expect(eventsAfter).toEqual(expect.arrayContaining(eventsBefore));
    expect(eventsAfter.map((e) => e.kind)).toContain('signin.success');
  });
});
