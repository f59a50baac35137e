// Removes whatever this run left in the shared services: databases and Redis keys named after the run id, and the
// run's temporary folder (global-setup.ts).
// Self-contained: Jest loads global hooks outside its module mapper, so this file imports no sibling module.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export default async function globalTeardown(): Promise<void> {
  const id = process.env.SESAME_TEST_RUN;
  if (!id) return;
  // The run's temporary folder, PGlite's image (test/support/databases.ts) included; only one named after the run.
  const folder = process.env.SESAME_TEST_TMPDIR;
  if (folder && path.basename(folder).startsWith(`${id}-tmp-`)) await rm(folder, { recursive: true, force: true });
  if (process.env.SESAME_TEST_BASE_TMPDIR) process.env.TMPDIR = process.env.SESAME_TEST_BASE_TMPDIR;
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${id}%`]);
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.end();
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${id}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis unreachable: nothing of ours can be there.
  } finally {
    redis.disconnect();
  }
}
