// Starts a real Sésame on 127.0.0.1 for a test file: real HTTP, a real database, both listeners.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningSesame, type ServerOptions } from '../../src/server.js';
import { createTestDatabase, type StoreKind, type TestDatabase } from './databases.js';
import { trackSmsQueue } from './sms-queues.js';

export interface TestSesame extends RunningSesame {
  config: Config;
  database: TestDatabase;
  issuer: string;
  dataDir: string;
  /** Stops the server and removes its database and data folder. */
  shutdown(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function testConfig(port: number, dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    ADMIN_LISTEN: '127.0.0.1:0',
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export async function startTestSesame(
  store: StoreKind | TestDatabase,
  env: Record<string, string> = {},
  options: { logger?: pino.Logger; issuerHost?: string } & Omit<ServerOptions, 'logger' | 'db'> = {},
): Promise<TestSesame> {
  const database = typeof store === 'string' ? await createTestDatabase(store) : store;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-test-'));
  const port = await freePort();
  // `issuerHost: 'localhost'` for WebAuthn, which refuses an IP address as its RP ID (the server still listens on
  // 127.0.0.1).
  const config = testConfig(port, dataDir, { ...(options.issuerHost ? { ISSUER: `http://${options.issuerHost}:${port}` } : {}), ...env });
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const { logger: _logger, issuerHost: _issuerHost, ...replaced } = options;
  const running = await startServer(config, { logger, db: database.db, ...replaced });
  const untrack = trackSmsQueue(running.sesame.smsQueue);
  return {
    ...running,
    config,
    database,
    issuer: config.issuer,
    dataDir,
    async shutdown() {
      untrack();
      await running.stop();
      if (typeof store === 'string') await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the admin API of a running test server. */
export async function admin(sesame: RunningSesame, method: string, pathname: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${sesame.adminUrl}/admin/api/v1${pathname}`, {
    method,
    headers: { authorization: `Bearer ${sesame.sesame.adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}
