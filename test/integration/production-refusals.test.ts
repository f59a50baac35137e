// NODE_ENV=production refuses to start with what only a demonstration or a lab may run: demo data asked for or
// present in the database, a plain-http issuer, outbox transports. Each refusal is one line and a non-zero exit.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { createTestDatabase, STORES } from '../support/databases.js';
import { cliEnv, runCli } from '../support/cli.js';
import { startTestSesame, testConfig } from '../support/sesame.js';
import { STAND_IN_ENV } from '../support/twilio-stand-in.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PRODUCTION = {
  NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(32), ISSUER: 'https://sesame.example.org', SMTP_URL: 'smtp://127.0.0.1:2525', ...STAND_IN_ENV,
};

function refusal(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.reasons;
    throw err;
  }
  return [];
}

describe('production settings', () => {
  test('a complete production configuration starts, without demo data by default', () => {
    expect(refusal(PRODUCTION)).toEqual([]);
    expect(loadConfig(PRODUCTION).seedDemo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).seedDemo).toBe(true);
  });

  test('each refusal is one line saying what to change', () => {
    expect(refusal({ ...PRODUCTION, SEED_DEMO: 'true' })).toEqual([expect.stringMatching(/^SEED_DEMO=true is refused in production .*unset it$/)]);
    expect(refusal({ ...PRODUCTION, ISSUER: 'http://sesame.example.org' })).toEqual([
      expect.stringMatching(/^ISSUER http:\/\/sesame\.example\.org is not https, refused in production: .*ALLOW_INSECURE_ISSUER=true/),
    ]);
    const { ISSUER: _issuer, ...noIssuer } = PRODUCTION;
    expect(refusal(noIssuer)).toEqual([expect.stringContaining('ISSUER http://localhost:3000 is not https')]);
    expect(refusal({ ...PRODUCTION, ISSUER: 'http://lab.local', ALLOW_INSECURE_ISSUER: 'true' })).toEqual([]);
    expect(refusal({ ...PRODUCTION, SMS_TRANSPORT: 'outbox', MAIL_TRANSPORT: 'outbox' })).toEqual([
      expect.stringContaining('SMS_TRANSPORT=outbox is refused in production'),
      expect.stringContaining('MAIL_TRANSPORT=outbox is refused in production'),
    ]);
    for (const line of refusal({ ...PRODUCTION, SEED_DEMO: 'true', ISSUER: 'http://x.example', SMS_TRANSPORT: 'outbox' })) expect(line).not.toContain('\n');
  });

  test('npm start refuses: every reason on its own line, exit status 1', async () => {
    const env = { ...PRODUCTION, SEED_DEMO: 'true', ISSUER: 'http://sesame.example.org', MAIL_TRANSPORT: 'outbox', PATH: process.env.PATH ?? '' };
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('sesame: '));
    expect(lines).toEqual([
      expect.stringContaining('SEED_DEMO=true is refused in production'),
      expect.stringContaining('is not https, refused in production'),
      expect.stringContaining('MAIL_TRANSPORT=outbox is refused in production'),
    ]);
  });
});

describe.each(STORES)('production on a database holding demo data (%s store)', (store) => {
  test('refuses to start, naming each demo client and account and how to remove it; starts once they are gone', async () => {
    const database = await createTestDatabase(store);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-prod-'));
    try {
      const demo = await startTestSesame(database, { SEED_DEMO: 'true' });
      const production = testConfig(0, dataDir, { ...PRODUCTION, LOG_LEVEL: 'silent' });
      const logger = pino({ level: 'silent' });

      const refused = await startServer(production, { logger, db: database.db }).then(() => undefined, (err: unknown) => err);
      expect(refused).toBeInstanceOf(ConfigError);
      const reasons = (refused as ConfigError).reasons;
      expect(reasons).toEqual([
        expect.stringMatching(/^demo client icart is registered with its published secret: run "sesame clients remove icart"/),
        expect.stringMatching(/^demo client pronote .*"sesame clients remove pronote"/),
        expect.stringMatching(/^demo client teleservices .*"sesame clients remove teleservices"/),
        expect.stringMatching(/^demo account claire\.moreau still has its published password: run "sesame accounts reset-password --revoke claire\.moreau"/),
        expect.stringMatching(/^demo account jules\.moreau .*"sesame accounts reset-password --revoke jules\.moreau"/),
      ]);

      // What each line says to run is what clears it.
      for (const id of ['icart', 'pronote', 'teleservices']) expect((await runCli(['clients', 'remove', id], { env: cliEnv(demo) })).code).toBe(0);
      for (const id of ['claire.moreau', 'jules.moreau']) expect((await runCli(['accounts', 'reset-password', '--revoke', id], { env: cliEnv(demo) })).code).toBe(0);
      await demo.shutdown();

      const running = await startServer(production, { logger, db: database.db });
      expect(await database.db.selectFrom('accounts').select('identifiant').where('identifiant', '=', 'claire.moreau').executeTakeFirst()).toBeDefined();
      await running.stop();
    } finally {
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
