// GET /metrics on the admin listener, as Prometheus reads it: requests by route TEMPLATE (never an interaction id
// or a token), SMS and directory rows, the SMS budget left, the PostgreSQL pool and Redis, the event loop; its own
// token when METRICS_TOKEN is set. Figures are compared before and after what a person or an operator does.
import { csvText, pupilRow } from '../support/directory-csv.js';
import { redisEnv } from '../support/env.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, signIn, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const METRICS_TOKEN = 'metrics-token-for-the-test-scraper-only';

describe('metrics (postgres + redis)', () => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;

  const scrape = async (token: string | null = METRICS_TOKEN) =>
    fetch(`${sesame.adminUrl}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const text = async () => (await scrape()).text();
  /** The value of one series, 0 when it does not exist yet. */
  const value = (body: string, series: string) => {
    const line = body.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  beforeAll(async () => {
    sesame = await startTestSesame('postgres', { ...redisEnv(), METRICS_TOKEN });
    client = await registerClient(sesame);
    config = await discover(sesame, client);
  });
  afterAll(() => sesame?.shutdown());

  it('asks for its own token, not the admin one, and only answers GET', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape(sesame.sesame.adminToken)).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const post = await fetch(`${sesame.adminUrl}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(post.status).toBe(405);
  });

  it('counts requests under their route template, with their status, and never names an interaction', async () => {
    const username = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant as string;
    const before = await text();
    const loginOk = 'sesame_http_request_duration_seconds_count{route="/interaction/:uid/login",method="POST",status="303"}';
    const tokenOk = 'sesame_http_request_duration_seconds_count{route="token",method="POST",status="200"}';

    await signIn(sesame, config, client, { username, password: PASSWORD }, { scope: 'openid' });
    const wrong = await openLoginForm(sesame, config, client);
    await postLogin(sesame, wrong, { username, password: 'pas-le-bon-mot-de-passe' });

    // A failed sign-in's event is recorded once its account lookup ends, after the answer (sign-in-audit.ts: an
    // unknown identifiant must not answer faster): read the figures once it is counted.
    const failure = 'sesame_events_total{kind="signin.failure",outcome="failure"}';
    let after = await text();
    for (let i = 0; i < 100 && value(after, failure) === value(before, failure); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await text();
    }
    expect(value(after, loginOk)).toBe(value(before, loginOk) + 1);
    expect(value(after, tokenOk)).toBe(value(before, tokenOk) + 1);
    // Security events as the audit trail records them.
    const success = 'sesame_events_total{kind="signin.success",outcome="success"}';
    expect(value(after, success)).toBe(value(before, success) + 1);
    expect(value(after, failure)).toBe(value(before, failure) + 1);
    const refused = after.split('\n').filter((l) => l.startsWith('sesame_http_request_duration_seconds_count{route="/interaction/:uid/login",method="POST"') && !l.includes('status="303"'));
    expect(refused.length).toBeGreaterThan(0);
    // Low-cardinality labels only: no interaction id, no identifiant, no code in the whole output.
    expect(after).not.toContain(wrong.uid);
    expect(after).not.toContain(username);
    expect(after).toMatch(/sesame_http_request_duration_seconds_bucket\{le="0\.05",route="token"/);
  });

  it('reports imported rows, the SMS budget left, the database pool, Redis and the event loop', async () => {
    const before = await text();
    const imported = await fetch(`${sesame.adminUrl}/admin/api/v1/directory/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sesame.sesame.adminToken}`, 'content-type': 'text/csv' },
      body: csvText([pupilRow(), pupilRow({ eleve_naissance: 'pas une date' })]),
    });
    expect(imported.status).toBe(200);
    const after = await text();
    expect(value(after, 'sesame_import_rows_total{result="accepted"}')).toBe(value(before, 'sesame_import_rows_total{result="accepted"}') + 1);
    expect(value(after, 'sesame_import_rows_total{result="rejected"}')).toBe(value(before, 'sesame_import_rows_total{result="rejected"}') + 1);
    expect(value(after, 'sesame_sms_budget_left')).toBe(sesame.config.activation.smsDailyBudget);
    expect(value(after, 'sesame_db_pool_connections{state="total"}')).toBeGreaterThan(0);
    expect(value(after, 'sesame_redis_up')).toBe(1);
    expect(after).toMatch(/^sesame_process_nodejs_eventloop_lag_seconds \d/m);
  });
});
