// Files and pages that hold secrets in development: the outbox file is readable by its owner only, and /dev/outbox
// answers only requests from this machine (a server listening on every interface must not hand codes to the network).
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createOutbox, OUTBOX_FILE } from '../../src/messaging/outbox.js';
import { call, expectFrenchPage } from '../support/http.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe('the outbox file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is created readable by its owner only', async () => {
    await createOutbox(dir).append({ channel: 'sms', to: '+33612345678', body: 'Votre code : 123456' });
    expect(await mode(path.join(dir, OUTBOX_FILE))).toBe(0o600);
  });

  it('is made private when an earlier version left it readable by everyone', async () => {
    const file = path.join(dir, OUTBOX_FILE);
    await writeFile(file, '');
    await chmod(file, 0o644);
    const outbox = createOutbox(dir);
    await outbox.append({ channel: 'mail', to: 'a@example.org', subject: 'Lien', text: 'https://example.org/x' });
    expect(await mode(file)).toBe(0o600);
    expect(await outbox.list()).toHaveLength(1);
  });
});

/** A non-loopback address of this machine, when it has one. */
function externalAddress(): string | undefined {
  return Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}

describe('/dev/outbox from another machine', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    // Every interface, and a trusted proxy: the two ways a stranger's request can reach a development server.
    sesame = await startTestSesame('embedded', { HOST: '0.0.0.0', TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });
  const page = (headers: Record<string, string> = {}, host = '127.0.0.1') =>
    call(`http://${host}:${sesame.config.port}/dev/outbox`, { headers: { accept: 'text/html', ...headers } });

  it('answers this machine', async () => {
    const local = await page();
    expect(expectFrenchPage(local, 200)).toContain('Boîte d’envoi');
  });

  it('is a French 404 for an address forwarded by a proxy', async () => {
    const forwarded: Record<string, string>[] = [{ 'X-Forwarded-For': '203.0.113.5' }, { 'X-Forwarded-For': '203.0.113.5, 127.0.0.1' }, { Forwarded: 'for=203.0.113.5' }];
    for (const headers of forwarded) {
      const refused = await page(headers);
      expect(expectFrenchPage(refused, 404)).toContain('Cette page n’existe pas');
      expect(refused.text).not.toContain('Boîte d’envoi');
    }
  });

  it('is a French 404 on a network interface', async () => {
    const address = externalAddress();
    // Machines without a network interface still prove the rule through the forwarded addresses above.
    if (!address) return;
    const refused = await page({}, address);
    expect(expectFrenchPage(refused, 404)).toContain('Cette page n’existe pas');
  });
});
