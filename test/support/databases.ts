// Test databases: a fresh PostgreSQL database per call (dropped by `drop`), or an in-memory PGlite. Both start
// already migrated, from an image the run makes once: PostgreSQL clones a template database the run migrated once
// (CREATE DATABASE … TEMPLATE), PGlite loads a data folder the run dumped once into a file, instead of running initdb
// and every migration for each test file (initdb alone costs 5 s of CPU; Jest gives each test file its own modules,
// so an image kept in a module variable would be made again by every file).
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kysely } from 'kysely';
import pg from 'pg';
import { migrate, openDatabase, type Db } from '../../src/store/database.js';
import { pgliteDialect } from '../../src/store/pglite-dialect.js';
import type { Database } from '../../src/store/schema.js';
import { TEST_PG_URL, databaseUrl, runId } from './env.js';

export type StoreKind = 'embedded' | 'postgres';
export const STORES: StoreKind[] = ['embedded', 'postgres'];

export interface TestDatabase {
  kind: StoreKind;
  /** DATABASE_URL for this database (undefined for PGlite). */
  url: string | undefined;
  db: Db;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const adminQuery = (sql: string) => withAdmin(async (client) => void (await client.query(sql)));

/** A lock number of this run: the workers of one run make the template one at a time, other runs do not wait. */
const lockKey = () => Number.parseInt(runId().slice(-6), 16) || 1;

/** Runs `work` holding one of this run's locks (`which` tells the PostgreSQL template's from the PGlite image's). */
async function underRunLock<T>(which: number, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withAdmin(async (client) => {
    await client.query('select pg_advisory_lock($1, $2)', [lockKey(), which]);
    try {
      return await work(client);
    } finally {
      await client.query('select pg_advisory_unlock($1, $2)', [lockKey(), which]);
    }
  });
}

let template: Promise<string> | undefined;

/** The run's migrated template database, made by whichever worker asks first (the others wait on a lock). */
function templateDatabase(): Promise<string> {
  template ??= underRunLock(1, async (client) => {
    const name = `${runId()}_template`;
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await client.query(`create database "${name}"`);
      const db = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: 'memory://' });
      try {
        await migrate(db);
      } finally {
        // A template cannot be cloned while anyone is connected to it.
        await db.destroy();
      }
    }
    return name;
  });
  return template;
}

/** A database of its own; migrated already (from the run's template) unless `empty` (tests of the migration itself). */
export async function createPostgresDatabase(options: { empty?: boolean } = {}): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${runId()}_${randomBytes(4).toString('hex')}`;
  if (options.empty) {
    await adminQuery(`create database "${name}"`);
    return { name, url: databaseUrl(name), drop: () => adminQuery(`drop database if exists "${name}" with (force)`) };
  }
  const from = await templateDatabase();
  for (let attempt = 0; ; attempt += 1) {
    try {
      await adminQuery(`create database "${name}" template "${from}"`);
      break;
    } catch (err) {
      // Two clones of one template at the same instant: PostgreSQL refuses the second; it only has to wait.
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 50 + attempt * 50));
    }
  }
  return { name, url: databaseUrl(name), drop: () => adminQuery(`drop database if exists "${name}" with (force)`) };
}

let image: Promise<Blob> | undefined;

/** The run's PGlite image file, in the run's temporary folder (global-setup.ts), which global-teardown.ts removes. */
export const embeddedImagePath = () => path.join(os.tmpdir(), `${runId()}-pglite-image.tar`);

async function readImage(file: string): Promise<Blob | undefined> {
  try {
    return new Blob([await readFile(file)]);
  } catch {
    return undefined;
  }
}

/** A migrated PGlite data folder, made by the run's first test file that needs one; every embedded test database
 * starts from it. */
function embeddedImage(): Promise<Blob> {
  const file = embeddedImagePath();
  image ??= (async () =>
    (await readImage(file)) ??
    underRunLock(2, async () => {
      const made = await readImage(file);
      if (made) return made;
      const { PGlite } = await import('@electric-sql/pglite');
      // Each test database unpacks the whole image, so the image is kept small (41 → 16 MB, 0.8 → 0.5 s of CPU per
      // database): 1 MB WAL segments instead of 16, and no template databases (nothing in a test creates a database).
      const pglite = await PGlite.create({ initDbStartParams: ['--wal-segsize=1'] });
      const db = new Kysely<Database>({ dialect: pgliteDialect(pglite) });
      await migrate(db);
      await pglite.exec(`update pg_database set datistemplate = false where datname in ('template0', 'template1')`);
      // One statement per call: several in one run as a single transaction, where DROP DATABASE is refused.
      for (const statement of ['drop database template0', 'drop database template1', 'checkpoint']) await pglite.exec(statement);
      const dump = await pglite.dumpDataDir('none');
      await db.destroy();
      // Written whole under another name, then renamed: a reader never sees half a file.
      // `wx`: never through a file or link someone else put there first (the temporary folder is shared).
      await writeFile(`${file}.${process.pid}`, new Uint8Array(await dump.arrayBuffer()), { mode: 0o600, flag: 'wx' });
      await rename(`${file}.${process.pid}`, file);
      return dump;
    }))();
  return image;
}

export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const db = await openDatabase({ databaseUrl: undefined, dataDir: 'memory://', embeddedImage: await embeddedImage() });
    return { kind, url: undefined, db, drop: () => db.destroy() };
  }
  const pgdb = await createPostgresDatabase();
  const db = await openDatabase({ databaseUrl: pgdb.url, dataDir: 'memory://' });
  return {
    kind,
    url: pgdb.url,
    db,
    async drop() {
      await db.destroy();
      await pgdb.drop();
    },
  };
}
