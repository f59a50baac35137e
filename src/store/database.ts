// Opens the SQL store: PGlite in DATA_DIR when no DATABASE_URL is set, PostgreSQL otherwise; runs migrations.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import type pg from 'pg';
import { Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.js';
import { pgliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface StoreOptions {
  databaseUrl: string | undefined;
  /** Folder of the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** An in-memory database starts from this dumped data folder instead of an empty one (tests: migrated once). */
  embeddedImage?: Blob | undefined;
}

const EMBEDDED_SHARED_BUFFERS = '16MB';

async function embeddedDialect(dataDir: string, image: Blob | undefined): Promise<Dialect> {
  const { PGlite } = await import('@electric-sql/pglite');
  // Dates stay strings, as with PostgreSQL below: a birth date is a calendar day, not an instant.
  const parsers = { 1082: (v: string) => v };
  if (dataDir.startsWith('memory://')) return pgliteDialect(await PGlite.create({ parsers, ...(image ? { loadDataDir: image } : {}) }));
  const dir = path.join(dataDir, 'pgdata');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // PostgreSQL's shared buffers live in the WebAssembly memory of this very process, and PGlite's start-up touches
  // all of them: initdb's 128 MB cost as much resident memory from the first second, over a data folder the
  // operating system caches anyway. 16 MB brought a reopened folder from 336–403 MB to 213–255 MB idle
  // (docs/performance.md, «Idle memory»).
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`];
  return pgliteDialect(await PGlite.create({ dataDir: dir, parsers, startParams }));
}

/** Each PostgreSQL database's pool, for the metrics (connections by state). */
const pools = new WeakMap<Db, { totalCount: number; idleCount: number; waitingCount: number }>();

export function poolStats(db: Db): { total: number; idle: number; waiting: number } | undefined {
  const pool = pools.get(db);
  return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}

async function postgresDialect(url: string, opened: (pool: pg.Pool) => void): Promise<Dialect> {
  const { default: pg } = await import('pg');
  pg.types.setTypeParser(1082, (v: string) => v);
  // A bounded wait for a connection (PostgreSQL unreachable but not refusing, or every connection busy): a request
  // answers 503 after 30 s rather than never. A refused connection fails at once. The wait includes queueing for a
  // free pool slot, so it is long enough for a burst (1 000 account creations at once in directory-identifiants).
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 30_000 });
  // An idle connection dropped by the server (restart, failover) must not crash the process: the pool replaces it.
  pool.on('error', () => {});
  // A connection that drops while checked out (between two statements of a transaction) emits 'error' with no
  // listener of the pool's, which would end the process. The statement that follows fails on its own and the pool
  // discards the broken connection when it comes back; the listener only keeps the process alive.
  pool.on('connect', (client) => client.on('error', () => {}));
  opened(pool);
  return new PostgresDialect({ pool });
}

export async function openDatabase(options: StoreOptions): Promise<Db> {
  let pool: pg.Pool | undefined;
  const dialect = options.databaseUrl
    ? await postgresDialect(options.databaseUrl, (opened) => (pool = opened))
    : await embeddedDialect(options.dataDir, options.embeddedImage);
  const db = new Kysely<Database>({ dialect });
  if (pool) pools.set(db, pool);
  return db;
}

/** Brings the schema up to date; safe to run on every start and from several instances at once. */
export async function migrate(db: Db): Promise<string[]> {
  // Unordered: migration numbers are handed out to parallel work in advance (0004 landed before 0003), so a database
  // may have run a later number first; each migration is independent of the ones numbered between.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
