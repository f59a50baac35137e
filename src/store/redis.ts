// The Redis connection for short-lived state (OIDC sessions, codes, tokens; rate-limit counters) when REDIS_URL
// is set. Every key carries REDIS_PREFIX, so several deployments (or test runs) can share one server.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export async function openRedis(url: string, prefix: string, logger: Logger): Promise<Redis> {
  // Bounded waits: while Redis is down a command fails after two reconnection attempts or 2 s, so a request answers
  // 503 quickly instead of hanging in the offline queue (src/store/unavailable.ts).
  const redis = new Redis(url, {
    keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 2000, commandTimeout: 2000,
  });
  // Connection errors are retried by ioredis; log them once each, without the URL (it may carry a password).
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  await redis.connect();
  return redis;
}

export async function isRedisReachable(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

/** Deletes every key under `prefix` (relative to the connection's own REDIS_PREFIX), a page of SCAN at a time. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  // SCAN matches the full key, so the connection's keyPrefix is added to the pattern and taken off the results.
  const own = redis.options.keyPrefix ?? '';
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${own}${prefix}*`, 'COUNT', 1000);
    if (keys.length) deleted += await redis.del(...keys.map((k) => k.slice(own.length)));
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}
