// The servers under test, each started as a child process with its own data: Sésame in a store mode (with a
// first-party client and accounts made through its admin API), or the bare oidc-provider ceiling.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { deleteKeysWithPrefix } from '../src/store/redis.js';
import { compiled } from './build.js';
import { freePort, startChild, type Child } from './child-process.js';
import { cpuMsOfCommand } from './proc-stats.js';

export type StoreMode = 'embedded' | 'postgres' | 'postgres+redis';
export const STORE_MODES: StoreMode[] = ['embedded', 'postgres', 'postgres+redis'];

export interface Credentials {
  username: string;
  password: string;
}

/** What the load generator needs to know about a running server. */
export interface Target {
  name: string;
  issuer: string;
  pid: number;
  client: { id: string; secret: string; redirectUri: string };
  /** One account per load worker, so that workers do not queue on one account's rows. */
  accounts: Credentials[];
  admin?: { url: string; token: string };
  /** Sésame's DATA_DIR (the SMS outbox is there). */
  dataDir?: string;
  /** PostgreSQL modes: the server's admin URL and the run's database name (for pg_stat_database). */
  postgres?: { adminUrl: string; database: string };
  /** CPU ms of the database servers so far (PostgreSQL, and Redis when used: shared with anyone else using them). */
  databaseCpuMs?: () => number;
  /** The last lines the server wrote (warnings, errors). */
  output(): string;
  stop(): Promise<void>;
}

export const BENCH_PASSWORD = 'Cartable-rouge-2026';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Removes the run's own keys (Redis is shared with other runs and tests). */
async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

async function pgAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}


/** A fresh PostgreSQL database on the local server, dropped by `drop`. */
export async function createBenchDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `sesame_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await pgAdmin(`create database "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => pgAdmin(`drop database if exists "${name}" with (force)`) };
}

export async function adminCall(admin: { url: string; token: string }, method: string, pathname: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${admin.url}/admin/api/v1${pathname}`, {
    method,
    headers: { authorization: `Bearer ${admin.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

export interface SesameOptions {
  store: StoreMode;
  accounts: number;
  cpuProfileDir?: string;
  /** Extra settings (e.g. the activation transport). */
  env?: Record<string, string>;
}

export async function startSesameTarget(options: SesameOptions): Promise<Target> {
  const script = await compiled('sesame');
  const [port, adminPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-bench-'));
  const database = options.store === 'embedded' ? undefined : await createBenchDatabase();
  const redisPrefix = options.store === 'postgres+redis' ? `sesame_bench_${randomBytes(4).toString('hex')}:` : undefined;
  const token = randomBytes(32).toString('base64url');
  const issuer = `http://127.0.0.1:${port}`;
  let child: Child | undefined;
  const cleanup = async () => {
    await child?.stop();
    await database?.drop();
    if (redisPrefix) await dropRedisPrefix(redisPrefix);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    child = await startChild({
      script,
      readyUrl: `${issuer}/readyz`,
      cpuProfileDir: options.cpuProfileDir,
      env: {
        // Not 'production': the SMS and mail outboxes the activation journey is measured with are refused there.
        NODE_ENV: 'development',
        SMS_TRANSPORT: 'outbox',
        MAIL_TRANSPORT: 'outbox',
        PORT: String(port),
        HOST: '127.0.0.1',
        ISSUER: issuer,
        ADMIN_LISTEN: `127.0.0.1:${adminPort}`,
        ADMIN_TOKEN: token,
        DATA_DIR: dataDir,
        ...(database ? { DATABASE_URL: database.url } : {}),
        ...(redisPrefix ? { REDIS_URL, REDIS_PREFIX: redisPrefix } : {}),
        SEED_DEMO: 'false',
        LOG_LEVEL: 'warn',
        // Tokens outlive the longest run, so no scenario measures expiry instead of work.
        ACCESS_TOKEN_TTL: '7200',
        // Every journey comes from 127.0.0.1: the per-address SMS limits would measure the limiter, not the journey.
        SMS_PER_ADDRESS_HOUR: '1000000',
        SMS_DAILY_BUDGET: '1000000',
        ...options.env,
      },
    });
    const admin = { url: `http://127.0.0.1:${adminPort}`, token };
    const registered = await adminCall(admin, 'POST', '/clients', {
      name: 'Banc d’essai',
      redirect_uris: [REDIRECT_URI],
      scope: 'openid profile email phone offline_access',
      first_party: true,
    });
    if (registered.status !== 201) throw new Error(`client registration failed: ${registered.status} ${JSON.stringify(registered.json)}`);
    const accounts: Credentials[] = [];
    for (let i = 0; i < options.accounts; i += 1) {
      const created = await adminCall(admin, 'POST', '/accounts', {
        kind: 'responsable',
        given_name: 'Claire',
        family_name: `Banc${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`,
        password: BENCH_PASSWORD,
      });
      if (created.status !== 201) throw new Error(`account creation failed: ${created.status} ${JSON.stringify(created.json)}`);
      accounts.push({ username: created.json.identifiant, password: BENCH_PASSWORD });
    }
    return {
      name: `Sésame (${options.store})`,
      issuer,
      pid: child.pid,
      client: { id: registered.json.client_id, secret: registered.json.client_secret, redirectUri: REDIRECT_URI },
      accounts,
      admin,
      dataDir,
      ...(database ? { postgres: { adminUrl: PG_ADMIN_URL, database: database.name } } : {}),
      ...(database ? { databaseCpuMs: () => cpuMsOfCommand('postgres') + (redisPrefix ? cpuMsOfCommand('redis-server') : 0) } : {}),
      output: child.output,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export async function startBareTarget(options: { cpuProfileDir?: string } = {}): Promise<Target> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const secret = randomBytes(24).toString('base64url');
  const child = await startChild({
    script: await compiled('bare'),
    readyUrl: `${issuer}/.well-known/openid-configuration`,
    cpuProfileDir: options.cpuProfileDir,
    env: { NODE_ENV: 'production', PORT: String(port), BARE_CLIENT_ID: 'bench-bare', BARE_CLIENT_SECRET: secret, BARE_REDIRECT_URI: REDIRECT_URI },
  });
  return {
    name: 'bare oidc-provider',
    issuer,
    pid: child.pid,
    client: { id: 'bench-bare', secret, redirectUri: REDIRECT_URI },
    accounts: [{ username: 'bare.account', password: 'not-checked' }],
    output: child.output,
    stop: () => child.stop(),
  };
}
