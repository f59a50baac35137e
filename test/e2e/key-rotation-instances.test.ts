// Two Sésame processes on one PostgreSQL: keys rotated on A are picked up by B within KEYS_POLL_SECONDS (here 1 s,
// waited for by polling, never timed): B then publishes A's new `next` key and signs with the new current one, and
// an ID token A signed after the rotation verifies against B's JWKS. B is a real `npm start` process (src/main.ts),
// stopped by SIGTERM, which it answers by closing cleanly (exit status 0).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { discover, registerClient, signIn } from '../support/relying-party.js';
import { admin, freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'Cartable-rouge-2026';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, attempts = 200): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await pause(100);
  }
  throw new Error(`never happened: ${what}`);
}

const jwksOf = async (issuer: string) => (await (await fetch(`${issuer}/jwks`)).json()) as JSONWebKeySet;
const firstRs256 = (set: JSONWebKeySet) => set.keys.find((k) => k.alg === 'RS256')!.kid;

describe('key rotation across two processes (postgres)', () => {
  let a: TestSesame;
  let b: ChildProcess;
  let bIssuer: string;
  let bDataDir: string;

  beforeAll(async () => {
    a = await startTestSesame('postgres', { KEYS_POLL_SECONDS: '1' });
    const port = await freePort();
    bIssuer = `http://127.0.0.1:${port}`;
    bDataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-b-'));
    b = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'ignore'],
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        DATABASE_URL: a.database.url!,
        PORT: String(port),
        HOST: '127.0.0.1',
        ISSUER: bIssuer,
        ADMIN_LISTEN: '127.0.0.1:0',
        ADMIN_TOKEN: 'b-instance-admin-token-for-tests-only',
        DATA_DIR: bDataDir,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'silent',
        KEYS_POLL_SECONDS: '1',
      },
    });
    await until('B ready', async () => ((await fetch(`${bIssuer}/readyz`)).status === 200 ? true : undefined), 600);
  });

  afterAll(async () => {
    if (b && b.exitCode === null && b.signalCode === null) b.kill('SIGKILL');
    await a?.shutdown();
    if (bDataDir) await rm(bDataDir, { recursive: true, force: true });
  });

  it('B publishes and signs with the keys A rotated, and verifies what A signs', async () => {
    expect(firstRs256(await jwksOf(bIssuer))).toBe(firstRs256(await jwksOf(a.issuer)));
    const before = new Set((await jwksOf(bIssuer)).keys.map((k) => k.kid));

    const { json } = await admin(a, 'POST', '/keys/rotate');
    const current = (json as { current: string[] }).current;
    const afterA = await jwksOf(a.issuer);
    const freshNext = afterA.keys.map((k) => k.kid!).filter((kid) => !before.has(kid));
    expect(freshNext.length).toBeGreaterThan(0);

    // B catches up by itself: A's brand-new `next` keys appear in its JWKS, and its current key is A's.
    const afterB = await until('B sees the rotation', async () => {
      const set = await jwksOf(bIssuer);
      return freshNext.every((kid) => set.keys.some((k) => k.kid === kid)) ? set : undefined;
    });
    expect(current).toContain(firstRs256(afterB));

    // A token A signs now carries the new key and verifies against B's published keys.
    const client = await registerClient(a);
    const config = await discover(a, client);
    const username = (await admin(a, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant as string;
    const { tokens } = await signIn(a, config, client, { username, password: PASSWORD }, { scope: 'openid' });
    const idToken = tokens.id_token!;
    expect(current).toContain(decodeProtectedHeader(idToken).kid);
    await expect(jwtVerify(idToken, createLocalJWKSet(afterB))).resolves.toBeTruthy();

    // SIGTERM: B stops accepting, closes its pools and exits 0.
    const exited = once(b, 'exit');
    b.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
