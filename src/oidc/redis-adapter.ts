// oidc-provider's storage contract over Redis, for the short-lived models (sessions, interactions, codes, tokens,
// grants). Clients stay in SQL, where operators manage them. Keys are built for Redis Cluster: each record's key
// carries its own hash tag, and every operation touches one key (or one key per command in a pipeline), so no
// command ever spans two slots.
import type { Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';

const GRANTABLE = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest',
]);
/** Models kept in SQL even when Redis is configured. */
const DURABLE = new Set(['Client']);

const recordKey = (model: string, id: string) => `oidc:${model}:{${id}}`;
const grantKey = (grantId: string) => `oidc:grant:{${grantId}}`;
const uidKey = (uid: string) => `oidc:uid:{${uid}}`;
const userCodeKey = (code: string) => `oidc:usercode:{${code}}`;

export function createRedisAdapter(redis: Redis, sqlAdapter: new (model: string) => Adapter): new (model: string) => Adapter {
  class RedisAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = recordKey(this.model, id);
      const multi = redis.multi();
      multi.del(key);
      multi.hset(key, 'payload', JSON.stringify(payload));
      if (expiresIn) multi.expire(key, expiresIn);
      if (GRANTABLE.has(this.model) && payload.grantId) {
        const gk = grantKey(payload.grantId);
        multi.rpush(gk, key);
        // The index lives as long as the longest-lived token of the grant.
        if (expiresIn) multi.expire(gk, expiresIn, 'GT');
        if (expiresIn) multi.expire(gk, expiresIn, 'NX');
      }
      for (const index of [payload.userCode && userCodeKey(payload.userCode), payload.uid && uidKey(payload.uid)]) {
        if (!index) continue;
        if (expiresIn) multi.set(index, id, 'EX', expiresIn);
        else multi.set(index, id);
      }
      await multi.exec();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const record = await redis.hgetall(recordKey(this.model, id));
      if (!record.payload) return undefined;
      const payload = JSON.parse(record.payload) as AdapterPayload;
      return record.consumed ? { ...payload, consumed: Number(record.consumed) } : payload;
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
      await redis.hset(recordKey(this.model, id), 'consumed', Math.floor(Date.now() / 1000));
    }

    async destroy(id: string): Promise<void> {
      await redis.del(recordKey(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const gk = grantKey(grantId);
      const keys = await redis.lrange(gk, 0, -1);
      const pipeline = redis.pipeline();
      // One DEL per key: the keys sit in different slots on a cluster.
      for (const key of keys) pipeline.del(key);
      pipeline.del(gk);
      await pipeline.exec();
    }
  }

  return class ChosenAdapter {
    constructor(model: string) {
      return DURABLE.has(model) ? new sqlAdapter(model) : new RedisAdapter(model);
    }
  } as unknown as new (model: string) => Adapter;
}
