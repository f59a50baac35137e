// The Redis connection for short-lived state (OIDC sessions, codes, tokens; rate-limit counters) when REDIS_URL
// is set: one node, TLS, Sentinel or Cluster (src/store/redis-url.ts). Every key carries REDIS_PREFIX, so several
// deployments (or test runs) can share one server. Commands are sent one key at a time and batched by ioredis's
// auto-pipelining: on a cluster each batch goes to the node owning its keys, on one node it is one round trip.
import { readFileSync } from 'node:fs';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { parseRedisUrl } from './redis-url.js';

/** A node connection or a cluster: the commands Sésame uses are the same on both. */
export type RedisClient = Redis;

export interface RedisSettings {
  url: string;
  prefix: string;
  /** PEM file of the authority that signed the Redis servers' certificates (rediss://, ?tls=1). */
  tlsCaFile?: string | undefined;
}

// Bounded waits: while Redis is down a command fails after two reconnection attempts or 2 s, so a request answers
// 503 quickly instead of hanging in the offline queue (src/store/unavailable.ts).
const BOUNDED = { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 2000, commandTimeout: 2000 } satisfies RedisOptions;

type IoRedis = Pick<typeof import('ioredis'), 'Redis' | 'Cluster'>;

function newClient(settings: RedisSettings, { Redis, Cluster }: IoRedis): RedisClient {
  const target = parseRedisUrl(settings.url);
  const ca = settings.tlsCaFile ? readFileSync(settings.tlsCaFile) : undefined;
  const tlsFor = (on: boolean) => (on ? { tls: ca ? { ca } : {} } : {});
  const common = { ...BOUNDED, lazyConnect: true, enableAutoPipelining: true };
  if (target.kind === 'node') {
    return new Redis(target.url, { ...common, keyPrefix: settings.prefix, ...(ca && target.url.startsWith('rediss:') ? { tls: { ca } } : {}) });
  }
  if (target.kind === 'sentinel') {
    return new Redis({
      ...common,
      keyPrefix: settings.prefix,
      sentinels: target.sentinels,
      name: target.name,
      ...(target.password ? { password: target.password } : {}),
      ...tlsFor(target.tls),
      ...(target.tls ? { enableTLSForSentinelMode: true, sentinelTLS: ca ? { ca } : {} } : {}),
    });
  }
  const cluster = new Cluster(target.nodes, {
    keyPrefix: settings.prefix,
    lazyConnect: true,
    enableAutoPipelining: true,
    enableOfflineQueue: true,
    redisOptions: { ...BOUNDED, ...(target.password ? { password: target.password } : {}), ...tlsFor(target.tls) },
  });
  // The cluster client speaks the same commands; typed as one node so the adapter and limiter stay one code path.
  return cluster as unknown as RedisClient;
}

/** A client that connects with its first command. ioredis is loaded here, only when REDIS_URL is set: the embedded
 * and PostgreSQL-only deployments never hold it in memory. */
export async function createRedisClient(settings: RedisSettings): Promise<RedisClient> {
  return newClient(settings, await import('ioredis'));
}

export async function openRedis(settings: RedisSettings, logger: Logger): Promise<RedisClient> {
  const redis = await createRedisClient(settings);
  // Connection errors are retried by ioredis; log them once each, without the URL (it may carry a password).
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  await redis.connect();
  return redis;
}

export async function isRedisReachable(redis: RedisClient): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/** The connections a SCAN must visit: every master of a cluster, or the one node. */
function scanTargets(redis: RedisClient): Redis[] {
  const maybeCluster = redis as unknown as Partial<Cluster>;
  return typeof maybeCluster.nodes === 'function' ? maybeCluster.nodes('master') : [redis];
}

/** Deletes every key under `prefix` (relative to the connection's own REDIS_PREFIX), a page of SCAN at a time. */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<number> {
  // SCAN matches the full key, so the connection's keyPrefix is added to the pattern and taken off the results.
  const own = redis.options.keyPrefix ?? '';
  let deleted = 0;
  for (const node of scanTargets(redis)) {
    let cursor = '0';
    do {
      // A cluster's node connections carry no prefix: the pattern is the full key there as well.
      const [next, keys] = await node.scan(cursor, 'MATCH', `${own}${prefix}*`, 'COUNT', 1000);
      // One DEL per key through the prefixed client: on a cluster the keys of one page sit in different slots.
      const results = await Promise.all(keys.map((k) => redis.del(k.slice(own.length))));
      deleted += results.reduce((sum, n) => sum + n, 0);
      cursor = next;
    } while (cursor !== '0');
  }
  return deleted;
}
