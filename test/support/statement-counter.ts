// A PostgreSQL test database whose every statement (BEGIN and COMMIT included) is recorded, for counting the round
// trips one operation costs (test/integration/sign-in-statements.test.ts, docs/performance.md).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/store/schema.js';
import { createPostgresDatabase, type TestDatabase } from './databases.js';

export interface CountedDatabase extends TestDatabase {
  /** Statements sent since the last `take()`, in order, as their SQL text; clears the list. */
  take(): string[];
  /** Adds a line of the caller's to the list (which request the following statements belong to). */
  mark(line: string): void;
}

export async function createCountedDatabase(): Promise<CountedDatabase> {
  const created = await createPostgresDatabase();
  // Dates stay strings, as src/store/database.ts sets for the application's own pool.
  pg.types.setTypeParser(1082, (v: string) => v);
  const pool = new pg.Pool({ connectionString: created.url, max: 10 });
  let sent: string[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text?: string; values?: unknown[] };
      const text = typeof first === 'string' ? first : (first?.text ?? '?');
      // oidc-provider's storage: which model the statement is about (its first parameter), never a value.
      const values = (typeof first === 'string' ? args[1] : first?.values) as unknown[] | undefined;
      const model = text.includes('"oidc_payloads"') && typeof values?.[0] === 'string' && /^[A-Z]\w+$/.test(values[0]) ? ` -- ${values[0]}` : '';
      sent.push(text + model);
      return query(...args);
    };
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    url: created.url,
    db,
    mark(line) {
      sent.push(line);
    },
    take() {
      const taken = sent;
      sent = [];
      return taken;
    },
    async drop() {
      await db.destroy();
      await created.drop();
    },
  };
}
