// Rate limits behave the same whichever store keeps the counters: SQL (PGlite, PostgreSQL) or Redis.
import { Redis } from 'ioredis';
import pino from 'pino';
import { createSqlLimiter, type Limiter, type Rule } from '../../src/limits/limiter.js';
import { createRedisLimiter } from '../../src/limits/redis-limiter.js';
import { migrate } from '../../src/store/database.js';
import { openRedis } from '../../src/store/redis.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { redisEnv } from '../support/env.js';

type Setup = { limiter: Limiter; close(): Promise<void> };

const setups: [string, () => Promise<Setup>][] = [
  ['embedded', () => sql('embedded')],
  ['postgres', () => sql('postgres')],
  ['redis', async () => {
    const env = redisEnv();
    const redis: Redis = await openRedis({ url: env.REDIS_URL!, prefix: env.REDIS_PREFIX! }, pino({ level: 'silent' }));
    return { limiter: createRedisLimiter(redis), close: async () => void (await redis.quit()) };
  }],
];

async function sql(kind: 'embedded' | 'postgres'): Promise<Setup> {
  const database: TestDatabase = await createTestDatabase(kind);
  await migrate(database.db);
  return { limiter: createSqlLimiter(database.db), close: () => database.drop() };
}

describe.each(setups)('limiter (%s)', (_name, make) => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await make();
  });
  afterAll(() => setup?.close());

  test('allows the configured number of hits, then refuses with the time left in the window', async () => {
    const rule: Rule = { name: 'test:a', points: 3, windowSeconds: 600 };
    const verdicts = [];
    for (let i = 0; i < 4; i += 1) verdicts.push(await setup.limiter.hit(rule, 'k1'));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
    expect(verdicts[3]!.retryAfterSeconds).toBeGreaterThan(590);
    expect(verdicts[3]!.retryAfterSeconds).toBeLessThanOrEqual(600);
    // Another key is counted apart.
    expect((await setup.limiter.hit(rule, 'k2')).allowed).toBe(true);
  });

  test('check does not count, reset starts over', async () => {
    const rule: Rule = { name: 'test:b', points: 2, windowSeconds: 600 };
    expect((await setup.limiter.check(rule, 'k')).allowed).toBe(true);
    await setup.limiter.hit(rule, 'k');
    expect((await setup.limiter.check(rule, 'k')).allowed).toBe(true);
    await setup.limiter.hit(rule, 'k');
    const blocked = await setup.limiter.check(rule, 'k');
    expect(blocked.allowed).toBe(false);
    expect(blocked.used).toBe(2);
    await setup.limiter.reset(rule, 'k');
    expect((await setup.limiter.check(rule, 'k')).allowed).toBe(true);
  });

  test('checkAll reads several counters at once, in the order asked', async () => {
    const strict: Rule = { name: 'test:d', points: 1, windowSeconds: 600 };
    const loose: Rule = { name: 'test:e', points: 5, windowSeconds: 600 };
    await setup.limiter.hit(strict, 'k');
    await setup.limiter.hit(strict, 'k');
    await setup.limiter.hit(loose, 'k');
    const [a, b, c] = await setup.limiter.checkAll([[loose, 'k'], [strict, 'k'], [strict, 'other']]);
    expect(a).toMatchObject({ allowed: true, used: 1 });
    expect(b).toMatchObject({ allowed: false, used: 2 });
    expect(b!.retryAfterSeconds).toBeGreaterThan(0);
    expect(c).toMatchObject({ allowed: true, used: 0 });
  });

  test('count hits several counters and reads others in one call, each with its own rule', async () => {
    const strict: Rule = { name: 'test:count-strict', points: 1, windowSeconds: 600 };
    const loose: Rule = { name: 'test:count-loose', points: 5, windowSeconds: 60 };
    await setup.limiter.hit(loose, 'read');
    const first = await setup.limiter.count([[strict, 'a'], [loose, 'a']], [[loose, 'read'], [strict, 'never']]);
    expect(first.hits.map((v) => [v.allowed, v.used])).toEqual([[true, 1], [true, 1]]);
    expect(first.checks.map((v) => [v.allowed, v.used])).toEqual([[true, 1], [true, 0]]);
    const second = await setup.limiter.count([[strict, 'a'], [loose, 'a']], []);
    expect(second.hits.map((v) => [v.allowed, v.used])).toEqual([[false, 2], [true, 2]]);
    expect(second.hits[0]!.retryAfterSeconds).toBeGreaterThan(590);
    // Checks alone count nothing.
    const onlyChecks = await setup.limiter.count([], [[strict, 'a']]);
    expect(onlyChecks).toEqual({ hits: [], checks: [expect.objectContaining({ allowed: false, used: 2 })] });
  });

  test('count and settle take any number of counters, each keeping its own key and window', async () => {
    // More counters than the SQL limiter keeps a compiled statement for (src/limits/limiter.ts): compiled per call.
    const rules: Rule[] = Array.from({ length: 6 }, (_, i) => ({ name: `test:many-${i}`, points: 1, windowSeconds: 100 * (i + 1) }));
    await setup.limiter.hit(rules[0]!, 'read');
    const first = await setup.limiter.count(rules.map((r): [Rule, string] => [r, 'k']), rules.map((r): [Rule, string] => [r, 'read']));
    expect(first.hits.map((v) => v.used)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(first.checks.map((v) => v.used)).toEqual([1, 0, 0, 0, 0, 0]);
    const second = await setup.limiter.count(rules.map((r): [Rule, string] => [r, 'k']), []);
    expect(second.hits.map((v) => [v.allowed, Math.ceil(v.retryAfterSeconds / 100)])).toEqual(rules.map((_, i) => [false, i + 1]));
    await setup.limiter.settle(rules.slice(0, 5).map((r): [Rule, string] => [r, 'k']), [[rules[5]!, 'k']]);
    const after = await setup.limiter.checkAll(rules.map((r): [Rule, string] => [r, 'k']));
    expect(after.map((v) => v.used)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  test('a burst of concurrent counts is counted exactly: none gets past the limit', async () => {
    const rule: Rule = { name: 'test:count-burst', points: 3, windowSeconds: 600 };
    const other: Rule = { name: 'test:count-burst-other', points: 100, windowSeconds: 600 };
    const verdicts = await Promise.all(Array.from({ length: 10 }, () => setup.limiter.count([[rule, 'k'], [other, 'k']], [])));
    expect(verdicts.filter((v) => v.hits[0]!.allowed)).toHaveLength(3);
    expect(verdicts.map((v) => v.hits[1]!.used).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('settle resets some counters and refunds others at once; empty lists do nothing', async () => {
    const rule: Rule = { name: 'test:settle', points: 5, windowSeconds: 600 };
    for (const key of ['reset', 'refund', 'refund']) await setup.limiter.hit(rule, key);
    await setup.limiter.settle([[rule, 'reset']], [[rule, 'refund'], [rule, 'gone']]);
    expect((await setup.limiter.check(rule, 'reset')).used).toBe(0);
    expect((await setup.limiter.check(rule, 'refund')).used).toBe(1);
    await setup.limiter.settle([], []);
    await setup.limiter.settle([], [[rule, 'refund']]);
    expect((await setup.limiter.check(rule, 'refund')).used).toBe(0);
    await setup.limiter.settle([], [[rule, 'refund']]);
    expect((await setup.limiter.check(rule, 'refund')).used).toBe(0);
  });

  test('refund gives one hit back, never below zero and never for a counter that is gone', async () => {
    const rule: Rule = { name: 'test:f', points: 2, windowSeconds: 600 };
    await setup.limiter.hit(rule, 'k');
    await setup.limiter.hit(rule, 'k');
    await setup.limiter.hit(rule, 'k');
    expect((await setup.limiter.check(rule, 'k')).used).toBe(3);
    await setup.limiter.refund(rule, 'k');
    expect((await setup.limiter.check(rule, 'k')).used).toBe(2);
    await setup.limiter.refund(rule, 'k');
    await setup.limiter.refund(rule, 'k');
    await setup.limiter.refund(rule, 'k');
    // Refunds past zero are lost: the next hits count as usual.
    expect((await setup.limiter.hit(rule, 'k')).used).toBe(1);
    await setup.limiter.refund(rule, 'never-hit');
    expect((await setup.limiter.hit(rule, 'never-hit')).used).toBe(1);
  });

  test('a new window starts once the old one has passed', async () => {
    const rule: Rule = { name: 'test:c', points: 1, windowSeconds: 1 };
    expect((await setup.limiter.hit(rule, 'k')).allowed).toBe(true);
    expect((await setup.limiter.hit(rule, 'k')).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await setup.limiter.hit(rule, 'k')).allowed).toBe(true);
  });
});

test('deleteKeysWithPrefix removes the keys under a prefix and nothing else, through a prefixed connection', async () => {
  const { deleteKeysWithPrefix } = await import('../../src/store/redis.js');
  const env = redisEnv();
  const redis: Redis = await openRedis({ url: env.REDIS_URL!, prefix: env.REDIS_PREFIX! }, pino({ level: 'silent' }));
  try {
    for (let i = 0; i < 1500; i += 1) await redis.set(`gone:${i}`, '1');
    await redis.set('kept', '1');
    expect(await deleteKeysWithPrefix(redis, 'gone:')).toBe(1500);
    expect(await redis.exists('gone:0', 'gone:1499')).toBe(0);
    expect(await redis.get('kept')).toBe('1');
    await deleteKeysWithPrefix(redis, '');
    expect(await redis.get('kept')).toBeNull();
  } finally {
    await redis.quit();
  }
});
