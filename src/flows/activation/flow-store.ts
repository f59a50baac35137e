// Keeps activation flows in the SQL store under a hash of the random id the browser holds, so a restart or another
// instance loses nothing. Changes to a flow run under a row lock: two tabs cannot both spend the same try.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../store/database.js';
import type { FlowState } from './flow.js';

const key = (flowId: string) => createHash('sha256').update(flowId).digest('base64url');

export const FLOW_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh flow id for the browser's cookie: 256 random bits. */
export const newFlowId = () => randomBytes(32).toString('base64url');

export interface FlowStore {
  create(flowId: string, state: FlowState): Promise<void>;
  load(flowId: string): Promise<FlowState | undefined>;
  /** Runs `change` on the locked flow and saves what it returns; undefined when the flow is gone or expired. */
  update<T>(flowId: string, change: (state: FlowState, trx: Db) => Promise<{ state: FlowState; result: T }>): Promise<T | undefined>;
}

export function createFlowStore(db: Db, options: { ttlSeconds: number }): FlowStore {
  const expiry = () => new Date(Date.now() + options.ttlSeconds * 1000);
  return {
    async create(flowId, state) {
      await db.insertInto('activation_flows').values({ id: key(flowId), state: JSON.stringify(state), expires_at: expiry() }).execute();
    },

    async load(flowId) {
      if (!FLOW_ID_PATTERN.test(flowId)) return undefined;
      const row = await db
        .selectFrom('activation_flows')
        .select('state')
        .where('id', '=', key(flowId))
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      return row?.state as FlowState | undefined;
    },

    async update(flowId, change) {
      if (!FLOW_ID_PATTERN.test(flowId)) return undefined;
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('activation_flows')
          .select('state')
          .where('id', '=', key(flowId))
          .where('expires_at', '>', sql<Date>`now()`)
          .forUpdate()
          .executeTakeFirst();
        if (!row) return undefined;
        const { state, result } = await change(row.state as unknown as FlowState, trx);
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

/** Deletes flows whose time has passed. */
export async function purgeActivationFlows(db: Db): Promise<void> {
  await db.deleteFrom('activation_flows').where('expires_at', '<', sql<Date>`now()`).execute();
}
