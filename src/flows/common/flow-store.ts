// Keeps the self-service journeys' state (activation, first connection) in the SQL store under a hash of the random
// id the browser holds in a signed cookie, so a restart or another instance loses nothing. Each row has a kind: a
// flow of one journey is never loaded as another. Changes run under a row lock: two tabs cannot spend one try twice.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../store/database.js';

const key = (flowId: string) => createHash('sha256').update(flowId).digest('base64url');

export const FLOW_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh flow id for the browser's cookie: 256 random bits. */
export const newFlowId = () => randomBytes(32).toString('base64url');

export interface FlowStore<S> {
  create(flowId: string, state: S): Promise<void>;
  load(flowId: string): Promise<S | undefined>;
  /** Runs `change` on the locked flow and saves what it returns; undefined when the flow is gone or expired. */
  update<T>(flowId: string, change: (state: S, trx: Db) => Promise<{ state: S; result: T }>): Promise<T | undefined>;
}

export function createFlowStore<S>(db: Db, options: { kind: string; ttlSeconds: number }): FlowStore<S> {
  const expiry = () => new Date(Date.now() + options.ttlSeconds * 1000);
  const live = (trx: Db, flowId: string) =>
    trx
      .selectFrom('activation_flows')
      .select('state')
      .where('id', '=', key(flowId))
      .where('kind', '=', options.kind)
      .where('expires_at', '>', sql<Date>`now()`);
  return {
    async create(flowId, state) {
      await db.insertInto('activation_flows')
        .values({ id: key(flowId), kind: options.kind, state: JSON.stringify(state), expires_at: expiry() })
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
          .where('id', '=', key(flowId))
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
