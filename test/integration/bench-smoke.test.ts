// The benchmark's own pieces at a tiny scale, so `npm run bench` cannot silently measure something else than a
// real sign-in: its flow driver completes whole sign-ins against Sésame (both stores) and against the bare
// oidc-provider it compares with, and its load loop counts what completed. No timing is asserted.
import { runLoad } from '../../bench/load.js';
import { discoverEndpoints, introspect, refresh, signInFlow, userinfo, type Endpoints } from '../../bench/oidc-driver.js';
import { BENCH_PASSWORD, startBareTarget, type Target } from '../../bench/targets.js';
import { STORES } from '../support/databases.js';
import { registerClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

describe.each(STORES)('benchmark flow driver against Sésame (%s store)', (store) => {
  let sesame: TestSesame;
  let target: Target;
  let endpoints: Endpoints;
  let sub: string;

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    const client = await registerClient(sesame);
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Banc', password: BENCH_PASSWORD });
    sub = created.json.sub;
    target = {
      name: 'Sésame',
      issuer: sesame.issuer,
      // The test server runs in this process: the load loop reads this process's CPU.
      pid: process.pid,
      client: { id: client.client_id, secret: client.client_secret!, redirectUri: client.redirect_uris[0]! },
      accounts: [{ username: created.json.identifiant, password: BENCH_PASSWORD }],
      output: () => '',
      stop: async () => {},
    };
    endpoints = await discoverEndpoints(sesame.issuer);
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('one whole sign-in (login form, CSRF, consent, code, token) gives tokens that userinfo, introspection and refresh accept', async () => {
    const { tokens } = await signInFlow(target, endpoints, target.accounts[0]!);
    expect(await userinfo(endpoints, tokens.accessToken)).toMatchObject({ sub, given_name: 'Claire' });
    await expect(introspect(target, endpoints, tokens.accessToken)).resolves.toBeUndefined();
    const rotated = await refresh(target, endpoints, tokens.refreshToken!);
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
  });

  test('a wrong password stops the driver with the page where the sign-in stopped', async () => {
    await expect(signInFlow(target, endpoints, { username: target.accounts[0]!.username, password: 'pas-le-bon-mot-de-passe' })).rejects.toThrow(/stopped on a page \(401\)/);
  });

  test('the load loop counts completed sign-ins and the server CPU they took', async () => {
    const result = await runLoad({
      pid: process.pid,
      concurrency: 1,
      durationMs: 1,
      operation: async () => ({ token: (await signInFlow(target, endpoints, target.accounts[0]!)).tokenMs }),
    });
    expect(result).toMatchObject({ concurrency: 1, ops: 1, errors: 0 });
    expect(result.parts.token).toBeDefined();
    expect(result.serverCpuMs).toBeGreaterThan(0);
  });
});

describe('benchmark flow driver against the bare oidc-provider', () => {
  let bare: Target;

  beforeAll(async () => {
    bare = await startBareTarget();
  });
  afterAll(async () => {
    await bare?.stop();
  });

  test('the same driver completes the same sign-in and refresh on the bare provider (the ceiling the report compares with)', async () => {
    const endpoints = await discoverEndpoints(bare.issuer);
    const { tokens } = await signInFlow(bare, endpoints, bare.accounts[0]!);
    expect(await userinfo(endpoints, tokens.accessToken)).toMatchObject({ sub: 'bare.account' });
    const rotated = await refresh(bare, endpoints, tokens.refreshToken!);
    expect(rotated.refreshToken).toBeDefined();
  });
});
