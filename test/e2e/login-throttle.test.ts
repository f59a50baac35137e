// Throttled sign-in: a run of wrong passwords for one identifiant from one address ends in «Trop de tentatives»
// with the real delay, even for the right password; the owner elsewhere is not locked out by a stranger. Also the
// SQL store's purge of expired protocol state.
import { sql } from 'kysely';
import { Browser } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { expectFrenchPage } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { createSqlAdapter } from '../../src/oidc/sql-adapter.js';

const PASSWORD = 'Cartable-rouge-2026';
const MAX_FAILURES = 3;
const WINDOW_SECONDS = 900;
const STRANGER = '203.0.113.7';
const OWNER_ELSEWHERE = '198.51.100.9';

describe.each(STORES)('login throttling (%s store)', (store) => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;

  // Behind the TLS proxy (TRUST_PROXY) the address is the one the proxy saw, sent as X-Forwarded-For.
  const from = (address: string) => new Browser({ 'x-forwarded-for': address });
  const attempt = async (address: string, username: string, password: string) => {
    const form = await openLoginForm(sesame, config, client, { browser: from(address) });
    return postLogin(sesame, form, { username, password });
  };

  beforeAll(async () => {
    sesame = await startTestSesame(store, { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS), TRUST_PROXY: 'true' });
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant;
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('wrong passwords from one address end in «Trop de tentatives», even with the right password, and not for the owner elsewhere', async () => {
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      const page = await attempt(STRANGER, identifiant, `mauvais-${i}`);
      expect(page.status).toBe(401);
    }
    for (const password of ['encore-faux', PASSWORD]) {
      const blocked = await attempt(STRANGER, identifiant, password);
      expect(blocked.location).toBeUndefined();
      const text = expectFrenchPage(blocked, 429);
      const retryAfter = Number(blocked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
      // The delay said is the real one, in whole minutes.
      const minutes = Math.ceil(retryAfter / 60);
      expect(text).toContain(`Trop de tentatives. Réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`);
      // The username stays in the form so the person does not type it again.
      expect(blocked.html).toContain(`value="${identifiant}"`);
    }
    // Case and spaces do not open a second counter.
    expect((await attempt(STRANGER, ` ${identifiant.toUpperCase()} `, PASSWORD)).status).toBe(429);

    // The owner, from home, signs in: the per-account+address rule blocked the stranger long before the account rule.
    const owner = await attempt(OWNER_ELSEWHERE, identifiant, PASSWORD);
    expect(new URL(owner.location!).searchParams.get('code')).toBeTruthy();
    // Someone else at the stranger's address (a school's shared connection) can still sign in to their own account.
    const other = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Karim', family_name: 'Benali', password: PASSWORD })).json.identifiant;
    const neighbour = await attempt(STRANGER, other, PASSWORD);
    expect(new URL(neighbour.location!).searchParams.get('code')).toBeTruthy();
    // And the stranger is still blocked.
    expect((await attempt(STRANGER, identifiant, PASSWORD)).status).toBe(429);
  });

  test('an unknown identifiant is throttled the same way (nothing tells whether an account exists)', async () => {
    const address = '203.0.113.50';
    const statuses: number[] = [];
    for (let i = 0; i <= MAX_FAILURES; i += 1) statuses.push((await attempt(address, 'personne.inconnue', 'mot-de-passe')).status);
    const known: number[] = [];
    for (let i = 0; i <= MAX_FAILURES; i += 1) known.push((await attempt(address, identifiant, 'mot-de-passe')).status);
    expect(statuses).toEqual([...Array(MAX_FAILURES).fill(401), 429]);
    expect(known).toEqual(statuses);
  });

  test('a script posting the form while blocked also gets 429 with Retry-After', async () => {
    const address = '203.0.113.99';
    for (let i = 0; i < MAX_FAILURES; i += 1) await attempt(address, identifiant, 'faux');
    const form = await openLoginForm(sesame, config, client, { browser: from(address) });
    const response = await form.browser.request(form.action, { form: { _csrf: form.csrf, profil: 'responsable', username: identifiant, password: PASSWORD }, headers: { accept: 'application/json' } });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test('purge() deletes expired protocol state and leaves live state alone', async () => {
    const db = sesame.sesame.db;
    const Adapter = createSqlAdapter(db);
    const tokens = new Adapter('AccessToken');
    await tokens.upsert('purge-expired', { grantId: 'g-purge', accountId: 'a' }, 1);
    await tokens.upsert('purge-live', { grantId: 'g-purge', accountId: 'a' }, 3600);
    await new Adapter('Client').upsert('purge-forever', { client_id: 'purge-forever' }, 0);
    await db.insertInto('rate_limits').values({ key: 'test:purge-expired', points: 1, expires_at: new Date(Date.UTC(2020, 0, 1)) }).execute();
    // Two seconds pass for the stored rows (their expiry moved back, rather than waited for on the real clock): the
    // 1 s token is now expired, the others are not.
    await sql`update oidc_payloads set expires_at = expires_at - interval '2 seconds' where id like 'purge-%'`.execute(db);
    // Expired rows are never handed back, purge or not.
    expect(await tokens.find('purge-expired')).toBeUndefined();
    expect(await tokens.find('purge-live')).toBeDefined();

    await sesame.sesame.purge();
    const ids = (await db.selectFrom('oidc_payloads').select('id').where('id', 'like', 'purge-%').execute()).map((r) => r.id).sort();
    expect(ids).toEqual(['purge-forever', 'purge-live']);
    expect(await db.selectFrom('rate_limits').select('key').where('key', '=', 'test:purge-expired').executeTakeFirst()).toBeUndefined();
  });
});
