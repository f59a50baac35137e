// oidc-provider's storage contract over Redis, for the short-lived models (sessions, interactions, codes, tokens,
// grants). Clients stay in SQL, where operators manage them. Keys are built for Redis Cluster: each record's key
// carries its own hash tag and every command touches one key, so no command ever spans two slots. The commands of
// one operation are issued together and batched by ioredis's auto-pipelining (src/store/redis.ts): one round trip
// on a single node, one per node owning a key on a cluster (where an explicit pipeline across slots is refused).
import type { RedisClient } from '../store/redis.js';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { AccountRecordIndex } from './account-sessions.js';
import { PUSHED_REQUEST } from './sql-adapter.js';

const GRANTABLE = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest',
]);
/** Models kept in SQL even when Redis is configured. */
const DURABLE = new Set(['Client']);

const recordKey = (model: string, id: string) => `oidc:${model}:{${id}}`;
const grantKey = (grantId: string) => `oidc:grant:{${grantId}}`;
const uidKey = (uid: string) => `oidc:uid:{${uid}}`;
const userCodeKey = (code: string) => `oidc:usercode:{${code}}`;
/** An account's sessions and grants: a sorted set of `Model:id` scored by expiry (seconds since the epoch). */
const accountKey = (accountId: string) => `oidc:account:{${accountId}}`;
/** Models found by account, to end all of an account's sign-ins at once (src/oidc/account-sessions.ts). */
const BY_ACCOUNT = new Set(['Session', 'Grant']);

/** Adds a record to its account's index and drops the entries that have expired, so the set stays small. */
function indexByAccount(redis: RedisClient, ops: Promise<unknown>[], accountId: string, member: string, expiresIn: number): void {
  const key = accountKey(accountId);
  const now = Math.floor(Date.now() / 1000);
  ops.push(redis.zadd(key, expiresIn ? now + expiresIn : '+inf', member));
  ops.push(redis.zremrangebyscore(key, '-inf', `(${now}`));
  // Like the grant index: the set lives as long as its longest-lived entry.
  if (expiresIn) ops.push(redis.expire(key, expiresIn, 'GT'), redis.expire(key, expiresIn, 'NX'));
  else ops.push(redis.persist(key));
}

export function createRedisAdapter(redis: RedisClient, sqlAdapter: new (model: string) => Adapter): new (model: string) => Adapter {
  class RedisAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = recordKey(this.model, id);
      // Not MULTI: the keys sit in different slots on a cluster, where a transaction across them is refused.
      // Issued in order without waiting (same key, same connection: applied in order), then each result checked.
      const ops: Promise<unknown>[] = [];
      ops.push(redis.del(key), redis.hset(key, 'payload', JSON.stringify(payload)));
      if (expiresIn) ops.push(redis.expire(key, expiresIn));
      if (GRANTABLE.has(this.model) && payload.grantId) {
        const gk = grantKey(payload.grantId);
        ops.push(redis.rpush(gk, key));
        // The index lives as long as the longest-lived token of the grant.
        if (expiresIn) ops.push(redis.expire(gk, expiresIn, 'GT'), redis.expire(gk, expiresIn, 'NX'));
      }
      if (BY_ACCOUNT.has(this.model) && payload.accountId) indexByAccount(redis, ops, payload.accountId, `${this.model}:${id}`, expiresIn);
      for (const index of [payload.userCode && userCodeKey(payload.userCode), payload.uid && uidKey(payload.uid)]) {
        if (!index) continue;
        ops.push(expiresIn ? redis.set(index, id, 'EX', expiresIn) : redis.set(index, id));
      }
      await Promise.all(ops);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === PUSHED_REQUEST) return this.take(id);
      const record = await redis.hgetall(recordKey(this.model, id));
      if (!record.payload) return undefined;
      const payload = JSON.parse(record.payload) as AdapterPayload;
      return record.consumed ? { ...payload, consumed: Number(record.consumed) } : payload;
    }

    /** Reads and deletes in one transaction (one key, one slot): of two concurrent uses, only one gets it. */
    private async take(id: string): Promise<AdapterPayload | undefined> {
      const key = recordKey(this.model, id);
      const results = (await redis.multi().hgetall(key).del(key).exec()) ?? [];
      const [err, record] = results[0] ?? [];
      if (err) throw err;
      const fields = record as Record<string, string> | undefined;
      if (!fields?.payload || fields.consumed) return undefined;
      return JSON.parse(fields.payload) as AdapterPayload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(uidKey(uid));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(userCodeKey(userCode));
      return id ? this.find(id) : undefined;
    }

    async consume(id: string): Promise<void> {
      // HSET on a key that has just expired would create a new one without expiry: only mark what still exists.
      const key = recordKey(this.model, id);
      await redis.eval(
        "if redis.call('exists', KEYS[1]) == 1 then return redis.call('hset', KEYS[1], 'consumed', ARGV[1]) end return 0",
        1,
        key,
        Math.floor(Date.now() / 1000),
      );
    }

    async destroy(id: string): Promise<void> {
      await redis.del(recordKey(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const gk = grantKey(grantId);
      const keys = await redis.lrange(gk, 0, -1);
      // One DEL per key: the keys sit in different slots on a cluster.
      await Promise.all([...keys.map((key) => redis.del(key)), redis.del(gk)]);
    }
  }

  return class ChosenAdapter {
    constructor(model: string) {
      return DURABLE.has(model) ? new sqlAdapter(model) : new RedisAdapter(model);
    }
  } as unknown as new (model: string) => Adapter;
}

/** An account's unexpired sessions and grants, from the index the Redis adapter keeps. */
export function createRedisAccountIndex(redis: RedisClient): AccountRecordIndex {
  return {
    async find(accountId) {
      const members = await redis.zrangebyscore(accountKey(accountId), Math.floor(Date.now() / 1000), '+inf');
      const ids = (model: string) => members.filter((m) => m.startsWith(`${model}:`)).map((m) => m.slice(model.length + 1));
      return { sessions: ids('Session'), grants: ids('Grant') };
    },
  };
}
