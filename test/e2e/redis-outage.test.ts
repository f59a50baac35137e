// Redis dies in the middle of the morning: every request that needs it answers 503 at once (a French page for a
// person, `temporarily_unavailable` for a relying party) instead of a 500 or a request hanging in ioredis's offline
// queue; /readyz says so; the process stays up; when Redis is back the same sign-in page works again by itself.
// Redis here is the test's own redis-server on a spare loopback port, killed and restarted.
import { Browser } from '../support/browser.js';
import { call, expectFrenchPage } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, freePort, startTestSesame, type TestSesame } from '../support/sesame.js';
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
    sesame = await startTestSesame('postgres', { REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    username = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant as string;
  });

  afterAll(async () => {
    await sesame?.shutdown();
    await redis?.stop();
  });

  it('answers 503 in French or in JSON while Redis is down, then serves again when it is back', async () => {
    const browser = new Browser();
    const form = await openLoginForm(sesame, config, client, { browser });
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
  });
});
