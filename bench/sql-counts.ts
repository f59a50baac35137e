// How many SQL transactions (each one round trip here: Sésame runs statements outside explicit transactions) and
// rows each operation costs PostgreSQL, from pg_stat_database of the run's own database. The statistics reach that
// view only when a backend has been idle a while, hence the waits: slow, so full runs only.
import pg from 'pg';

export interface SqlCount {
  transactions: number;
  rowsRead: number;
  rowsWritten: number;
}

// PostgreSQL 15 flushes an idle backend's statistics after at most 10 s.
const FLUSH_WAIT_MS = 11_000;

export async function countSql(adminUrl: string, database: string, samples: number, operation: () => Promise<void>): Promise<SqlCount> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const read = async () => {
    await new Promise((r) => setTimeout(r, FLUSH_WAIT_MS));
    const { rows } = await client.query(
      'select xact_commit + xact_rollback as tx, tup_returned + tup_fetched as r, tup_inserted + tup_updated + tup_deleted as w from pg_stat_database where datname = $1',
      [database],
    );
    return { tx: Number(rows[0].tx), r: Number(rows[0].r), w: Number(rows[0].w) };
  };
  try {
    const before = await read();
    for (let i = 0; i < samples; i += 1) await operation();
    const after = await read();
    return { transactions: (after.tx - before.tx) / samples, rowsRead: (after.r - before.r) / samples, rowsWritten: (after.w - before.w) / samples };
  } finally {
    await client.end();
  }
}
