// The Redis connection for short-lived state (OIDC sessions, codes, tokens; rate-limit counters) when REDIS_URL
// is set. Every key carries REDIS_PREFIX, so several deployments (or test runs) can share one server.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export async function openRedis(url: string, prefix: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
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
