// The same fixed-window counters as limiter.ts, kept in Redis (rate-limiter-flexible) when REDIS_URL is set:
// one atomic round trip per hit, shared by every instance.
import type { RedisClient } from '../store/redis.js';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Limiter, Rule, Verdict } from './limiter.js';

export function createRedisLimiter(redis: RedisClient): Limiter {
  const limiters = new Map<string, RateLimiterRedis>();
  // Each RateLimiterRedis defines its Lua command on the client. Defined here first, while nothing is queued: an
  // auto-pipeline already waiting on the connection when the command is first defined lacks it ("pipeline[…] is not
  // a function"), which the SMS queue's heartbeat or any concurrent request made likely on a fresh instance.
  new RateLimiterRedis({ storeClient: redis, keyPrefix: 'limit:', points: 1, duration: 1 });
  const limiterFor = (rule: Rule) => {
    const id = `${rule.name}/${rule.points}/${rule.windowSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `limit:${rule.name}`, points: rule.points, duration: rule.windowSeconds });
      limiters.set(id, limiter);
    }
    return limiter;
  };
  const verdict = (rule: Rule, res: RateLimiterRes): Verdict => {
    const allowed = res.consumedPoints <= rule.points;
    return { allowed, used: res.consumedPoints, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
  };
  async function check(rule: Rule, key: string): Promise<Verdict> {
    const res = await limiterFor(rule).get(key);
    if (!res) return { allowed: true, used: 0, retryAfterSeconds: 0 };
    const next = verdict(rule, new RateLimiterRes(res.remainingPoints - 1, res.msBeforeNext, res.consumedPoints + 1));
    return { ...next, used: res.consumedPoints };
  }
  async function hit(rule: Rule, key: string): Promise<Verdict> {
    try {
      return verdict(rule, await limiterFor(rule).consume(key));
    } catch (err) {
      if (err instanceof RateLimiterRes) return verdict(rule, err);
      throw err;
    }
  }
  async function reset(rule: Rule, key: string): Promise<void> {
    await limiterFor(rule).delete(key);
  }
  async function refund(rule: Rule, key: string): Promise<void> {
    // reward() on a key that is gone would create it with negative points: only give back what is still counted.
    const res = await limiterFor(rule).get(key);
    if (res && res.consumedPoints > 0) await limiterFor(rule).reward(key, 1);
  }
  return {
    hit,
    check,
    // Redis answers each in well under a millisecond and ioredis pipelines concurrent commands on one connection.
    async count(hits, checks) {
      const [h, c] = await Promise.all([Promise.all(hits.map(([rule, key]) => hit(rule, key))), Promise.all(checks.map(([rule, key]) => check(rule, key)))]);
      return { hits: h, checks: c };
    },
    async settle(resets, refunds) {
      await Promise.all([...resets.map(([rule, key]) => reset(rule, key)), ...refunds.map(([rule, key]) => refund(rule, key))]);
    },
    checkAll(entries) {
      return Promise.all(entries.map(([rule, key]) => check(rule, key)));
    },
    reset,
    refund,
  };
}
