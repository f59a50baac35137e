// Keeps the self-service journeys' state (activation, first connection, recovery…) under a hash of the random id the
// browser holds in a signed cookie, so a restart or another instance loses nothing: in SQL here (table
// activation_flows), on Redis when REDIS_URL is set (redis-flow-store.ts, same interface). Each flow has a kind: a
// flow of one journey is never loaded as another. Changes run under a lock: two tabs cannot spend one try twice.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../store/database.js';

export const flowKey = (flowId: string) => createHash('sha256').update(flowId).digest('base64url');

export const FLOW_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh flow id for the browser's cookie: 256 random bits. */
export const newFlowId = () => randomBytes(32).toString('base64url');

export interface FlowStore<S> {
  create(flowId: string, state: S): Promise<void>;
  load(flowId: string): Promise<S | undefined>;
  /** Runs `change` on the locked flow and saves what it returns; undefined when the flow is gone or expired. */
  update<T>(flowId: string, change: (state: S, trx: Db) => Promise<{ state: S; result: T }>): Promise<T | undefined>;
}

export interface FlowStoreOptions {
  kind: string;
  ttlSeconds: number;
}

/** Builds the flow store of one journey on the service's backend (SQL, or Redis when REDIS_URL is set). */
export type FlowStores = <S>(options: FlowStoreOptions) => FlowStore<S>;

/** Flow stores in SQL: the embedded default, and PostgreSQL without Redis. */
export const sqlFlowStores = (db: Db): FlowStores => (options) => createFlowStore(db, options);

export function createFlowStore<S>(db: Db, options: FlowStoreOptions): FlowStore<S> {
  const expiry = () => new Date(Date.now() + options.ttlSeconds * 1000);
  const live = (trx: Db, flowId: string) =>
    trx
      .selectFrom('activation_flows')
      .select('state')
      .where('id', '=', flowKey(flowId))
      .where('kind', '=', options.kind)
      .where('expires_at', '>', sql<Date>`now()`);
  return {
    async create(flowId, state) {
      await db.insertInto('activation_flows')
        .values({ id: flowKey(flowId), kind: options.kind, state: JSON.stringify(state), expires_at: expiry() })
        .execute();
    },

    async load(flowId) {
      if (!FLOW_ID_PATTERN.test(flowId)) return undefined;
      const row = await live(db, flowId).executeTakeFirst();
      return row?.state as S | undefined;
    },

    async update(flowId, change) {
      if (!FLOW_ID_PATTERN.test(flowId)) return undefined;
      return db.transaction().execute(async (trx) => {
        const row = await live(trx, flowId).forUpdate().executeTakeFirst();
        if (!row) return undefined;
        const { state, result } = await change(row.state as unknown as S, trx);
        await trx
          .updateTable('activation_flows')
          .set({ state: JSON.stringify(state), updated_at: new Date() })
          .where('id', '=', flowKey(flowId))
          .execute();
        return result;
      });
    },
  };
}

/** Deletes flows (of every kind) whose time has passed. */
export async function purgeFlows(db: Db): Promise<void> {
  await db.deleteFrom('activation_flows').where('expires_at', '<', sql<Date>`now()`).execute();
}
