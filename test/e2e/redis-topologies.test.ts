// REDIS_URL for a Redis Cluster, for Sentinel and over TLS (rediss://, a private authority in REDIS_TLS_CA_FILE): a whole sign-in, a refresh, userinfo, a revocation that ends the
// grant, and the login counters all work when Sésame's short-lived state sits on three cluster masters (keys of one
// grant in different slots), on a master found through Sentinel, or behind TLS. The servers are the test's own processes.
// An activation runs there too: its flow state (lock and all) and its SMS, queued and sent through Redis.
import { Browser } from '../support/browser.js';
import { activate, shownIdentifiant } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { redisEnv } from '../support/env.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { startRedisCluster, startRedisSentinel, startRedisTls, type RedisGroup, type TlsRedis } from '../support/redis-servers.js';
import { clientAndParent, oidc, signIn, type TestClient } from '../support/relying-party.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

describe.each([
  ['Redis Cluster (3 masters)', startRedisCluster],
  ['Redis Sentinel', startRedisSentinel],
  ['Redis over TLS', startRedisTls],
] as const)('short-lived state on %s', (_name, start) => {
  let group: RedisGroup | TlsRedis;
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let username: string;

  beforeAll(async () => {
    group = await start();
    const caFile = (group as Partial<TlsRedis>).caFile;
    const ca: Record<string, string> = caFile ? { REDIS_TLS_CA_FILE: caFile } : {};
    sesame = await startTestSesame('postgres', { REDIS_URL: group.url, REDIS_PREFIX: redisEnv().REDIS_PREFIX!, LOGIN_MAX_FAILURES: '2', ACTIVATION_MIN_RESPONSE_MS: '0', ...ca });
    ({ client, config, username } = await clientAndParent(sesame, PASSWORD));
  });
  afterAll(async () => {
    await sesame?.shutdown();
    await group?.stop();
  });

  it('signs in, refreshes, answers userinfo, and a revoked refresh token ends the grant', async () => {
    const { tokens } = await signIn(sesame, config, client, { username, password: PASSWORD }, { scope: 'openid profile offline_access' });
    const sub = tokens.claims()!.sub;
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const info = await oidc.fetchUserInfo(config, refreshed.access_token, sub);
    expect(info.given_name).toBe('Claire');

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(config, refreshed.access_token, sub)).rejects.toBeTruthy();
  });

  it('activates a parent account: the flow and its SMS go through Redis', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.database.db, { family: 'Lefèvre', given: 'Inès', mobile: mobile.e164 }, [{ given: 'Léo', family: 'Lefèvre', birthdate: '2015-06-02' }]);
    const pages = await activate(new Browser(), sesame.issuer, sesame.dataDir, {
      identity: { family_name: 'Lefèvre', given_name: 'Inès', mobile: mobile.typed }, to: mobile.e164, birthdates: ['02/06/2015'], password: 'Cartable-rouge-2026',
    });
    expect(pages.done.html).toContain('Votre compte est activé.');
    expect(shownIdentifiant(pages.done.html)).toBeTruthy();
    expect(await sesame.database.db.selectFrom('activation_flows').select('id').execute()).toEqual([]);
  });

  it('counts login failures there: past the limit the right password waits too', async () => {
    for (let i = 0; i < 2; i += 1) {
      const form = await openLoginForm(sesame, config, client);
      expect((await postLogin(sesame, form, { username, password: 'pas-le-bon' })).status).toBe(401);
    }
    const form = await openLoginForm(sesame, config, client);
    const page = await postLogin(sesame, form, { username, password: 'pas-le-bon' });
    expect(page.status).toBe(429);
  });
});
