// The journeys' flow state on Redis when REDIS_URL is set: the same FlowStore as the SQL one (flow-store.ts), so no
// flow changes. A flow is one key `flow:<kind>:{<sha256 of the id>}` holding its JSON state, with Redis's own TTL
// (no purge needed); the hash tag puts the flow's state and its lock in one Cluster slot.
//
// `update` is serialised per flow by a short lock (`…:lock`, a random token, released by a Lua script only by its
// owner), so two tabs cannot spend one try twice. The SQL work `change` does runs in its own SQL transaction; the
// order is: lock → read the state → SQL transaction (change, then check the lock is still ours and extend it) →
// COMMIT → write the new state and release the lock in one script. If Redis fails after the COMMIT, the SQL effects
// stay (an account activated, a password changed) and the flow keeps its previous step: the request answers 503,
// and the person's next try replays a step whose SQL work is idempotent (activation finds the account already
// active) or spends a try that was never recorded as spent (and whose answer was never shown). Writing Redis first
// would be worse: a flow marked finished whose account was never written.
//
// A flow's state holds personal data (a mobile number, an email address, the account it is about): it is sealed
// (src/store/sealed-json.ts) with its key as context. A state that cannot be opened (altered, moved to another key,
// or written in clear by an earlier version during an upgrade) reads as no flow: the person starts again.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/database.js';
import type { RedisClient } from '../../store/redis.js';
import { openJson, sealJson } from '../../store/sealed-json.js';
import { StoreUnavailableError } from '../../store/unavailable.js';
import { FLOW_ID_PATTERN, flowKey, type FlowStore, type FlowStoreOptions, type FlowStores } from './flow-store.js';

export interface RedisFlowOptions {
  /** 32 bytes sealing the states (the `flow-state-key` secret). */
  key: Buffer;
  /** How long one update may hold a flow's lock (then it is considered lost); default 15 s. */
  lockMs?: number;
  /** How long an update waits for another tab's update to finish before answering 503; default 15 s. */
  waitMs?: number;
}

// Deletes the lock only if it is still the caller's.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
// Extends the lock only if it is still the caller's (1), else 0.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
// Saves the state of a live flow (keeping its TTL, never resurrecting an expired one) and releases the lock, only
// if the lock is still the caller's: -1 lock lost, 0 flow expired meanwhile, 1 saved.
const SAVE = `if redis.call('get', KEYS[2]) ~= ARGV[1] then return -1 end
redis.call('del', KEYS[2])
if redis.call('set', KEYS[1], ARGV[2], 'XX', 'KEEPTTL') then return 1 end
return 0`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createRedisFlowStore<S>(db: Db, redis: RedisClient, options: FlowStoreOptions & RedisFlowOptions): FlowStore<S> {
  const lockMs = options.lockMs ?? 15_000;
  const waitMs = options.waitMs ?? lockMs;
  const stateKey = (flowId: string) => `flow:${options.kind}:{${flowKey(flowId)}}`;
  const lockKey = (flowId: string) => `${stateKey(flowId)}:lock`;
  const seal = (key: string, state: S) => sealJson(options.key, state, key);
  const open = (key: string, raw: string | null): S | undefined => {
    if (raw === null) return undefined;
    try {
      return openJson<S>(options.key, raw, key);
    } catch {
      return undefined;
    }
  };

  async function acquire(lock: string, token: string): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      let taken: string | null;
      try {
        taken = await redis.set(lock, token, 'PX', lockMs, 'NX');
      } catch (err) {
        // The SET may have been applied with its answer lost: release by token, or the flow stays locked for lockMs.
        await redis.eval(RELEASE, 1, lock, token).catch(() => undefined);
        throw err;
      }
      if (taken === 'OK') return;
      // Another update of this flow (a second tab) runs: wait for it, then read what it saved.
      if (Date.now() >= deadline) throw new StoreUnavailableError();
      await pause(10 + Math.floor(Math.random() * 30));
    }
  }

  return {
    async create(flowId, state) {
      // NX: like the SQL primary key, an id is never reused.
      const key = stateKey(flowId);
      const done = await redis.set(key, seal(key, state), 'EX', options.ttlSeconds, 'NX');
      if (done !== 'OK') throw new Error('flow id already in use');
    },

    async load(flowId) {
      if (!FLOW_ID_PATTERN.test(flowId)) return undefined;
      const key = stateKey(flowId);
      return open(key, await redis.get(key));
    },

    async update(flowId, change) {
      if (!FLOW_ID_PATTERN.test(flowId)) return undefined;
      const key = stateKey(flowId);
      const lock = lockKey(flowId);
      const token = randomBytes(16).toString('base64url');
      await acquire(lock, token);
      let released = false;
      try {
        const current = open(key, await redis.get(key));
        if (current === undefined) return undefined;
        const { state, result } = await db.transaction().execute(async (trx) => {
          const out = await change(current, trx);
          // Still ours before the COMMIT: a lock lost to its timeout means another update may have read the old state,
          // so the SQL work is rolled back rather than committed twice.
          if ((await redis.eval(EXTEND, 1, lock, token, lockMs)) !== 1) throw new StoreUnavailableError();
          return out;
        });
        const saved = await redis.eval(SAVE, 2, key, lock, token, seal(key, state));
        released = true;
        if (saved === -1) throw new StoreUnavailableError();
        // 0: the flow expired during the change; its SQL work is committed, so its result still stands.
        return result;
      } finally {
        if (!released) await redis.eval(RELEASE, 1, lock, token).catch(() => undefined);
      }
    },
  };
}

/** Flow stores on Redis (state and TTL) with the SQL work of `update` in PostgreSQL transactions. */
export const redisFlowStores = (db: Db, redis: RedisClient, options: RedisFlowOptions): FlowStores =>
  (store) => createRedisFlowStore(db, redis, { ...store, ...options });
