// An https issuer behind its TLS proxy: every cookie, ours and the provider's, is `Secure` whatever the proxy
// forwards; without TRUST_PROXY, a warning at start-up and a French page instead of a 503 or cookies sent in clear.
import { Writable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createSesame, type Sesame } from '../../src/sesame.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { expectFrenchPage } from '../support/http.js';
import { registerClient } from '../support/relying-party.js';
import { freePort, startTestSesame, testConfig, type TestSesame } from '../support/sesame.js';

const ISSUER = 'https://sesame.example.org';

/** An authorization request as a relying party would send it (the issuer's https name is not resolvable here). */
function authorizationPath(client: { client_id: string; redirect_uris: string[] }): string {
  const params = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: client.redirect_uris[0]!,
    state: 'etat-de-test',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  return `/auth?${params}`;
}

describe('https issuer behind a trusted proxy', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ISSUER, TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test.each([
    ['without X-Forwarded-Proto', {}],
    ['with X-Forwarded-Proto: http', { 'x-forwarded-proto': 'http' }],
    ['with X-Forwarded-Proto: https', { 'x-forwarded-proto': 'https' }],
  ])('%s, our screens answer and every cookie (ours and the provider’s) is Secure', async (_name, headers: Record<string, string>) => {
    const activation = await fetch(`${sesame.url}/activation`, { headers: { accept: 'text/html', ...headers } });
    expect(activation.status).toBe(200);
    const ours = activation.headers.getSetCookie();
    expect(ours.some((c) => c.startsWith('sesame.csrf='))).toBe(true);
    for (const cookie of ours) expect(cookie).toMatch(/;\s*secure/i);

    const client = await registerClient(sesame);
    const auth = await fetch(`${sesame.url}${authorizationPath(client)}`, { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });
    expect(auth.status).toBe(303);
    const theirs = auth.headers.getSetCookie();
    expect(theirs.some((c) => c.startsWith('_interaction='))).toBe(true);
    for (const cookie of theirs) expect(cookie).toMatch(/;\s*secure/i);
  });
});

describe('https issuer without a trusted proxy', () => {
  let database: TestDatabase;
  let sesame: Sesame;
  let server: Server;
  let base: string;
  let dataDir: string;
  const logged: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('embedded');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-https-'));
    const port = await freePort();
    const sink = new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done(); } });
    sesame = await createSesame(testConfig(port, dataDir, { ISSUER }), { logger: pino({ level: 'warn' }, sink), db: database.db, adminToken: 'x'.repeat(32) });
    server = sesame.app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server?.close();
    server?.closeAllConnections();
    await sesame?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('start-up warns that TRUST_PROXY is off', () => {
    const warning = logged.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.msg.includes('TRUST_PROXY'));
    expect(warning).toBeDefined();
    expect(warning!.level).toBe(40);
  });

  test('browser pages get a French page naming the secure address, not a 503, and no cookie', async () => {
    const client = await sesame.clients.add({ name: 'Appli', redirectUris: ['http://127.0.0.1:9/callback'], scope: 'openid', firstParty: true });
    for (const pathname of ['/activation', '/', authorizationPath(client as { client_id: string; redirect_uris: string[] }), '/session/end']) {
      const response = await fetch(`${base}${pathname}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      const text = expectFrenchPage({ status: response.status, headers: response.headers, text: await response.text() }, 400);
      expect(text).toContain('connexion sécurisée');
      expect(text).toContain(ISSUER);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const form = await fetch(`${base}/activation`, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: 'family_name=x' });
    expect(form.status).toBe(400);
  });

  test('machines still reach discovery and get JSON; health answers', async () => {
    const discovery = await fetch(`${base}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect((await discovery.json()).issuer).toBe(ISSUER);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const json = await fetch(`${base}/activation`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'insecure_connection' });
  });
});
