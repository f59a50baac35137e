// Test databases: a fresh PostgreSQL database per call (dropped by `drop`), or an in-memory PGlite.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/store/database.js';
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

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createPostgresDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${runId()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database "${name}"`);
  return { name, url: databaseUrl(name), drop: () => adminQuery(`drop database if exists "${name}" with (force)`) };
}

export async function createTestDatabase(kind: StoreKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const db = await openDatabase({ databaseUrl: undefined, dataDir: 'memory://' });
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
