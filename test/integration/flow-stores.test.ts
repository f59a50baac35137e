// The journeys' flow store, in SQL (PostgreSQL) and on Redis (the local server, own key prefix) with PostgreSQL for
// the SQL work: one flow per id and kind, updates of one flow one at a time (two tabs cannot spend one try twice),
// the SQL work of an update committed with it or not at all, and flows gone once their time has passed.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createFlowStore, flowKey, newFlowId, type FlowStore, type FlowStoreOptions } from '../../src/flows/common/flow-store.js';
import { createRedisFlowStore } from '../../src/flows/common/redis-flow-store.js';
import { createRedisClient, deleteKeysWithPrefix, type RedisClient } from '../../src/store/redis.js';
import { isStoreUnavailable } from '../../src/store/unavailable.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_REDIS_URL, runId } from '../support/env.js';
import { freePort } from '../support/sesame.js';

interface Tries {
  left: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY = randomBytes(32);

describe.each(['sql', 'redis'] as const)('flow store (%s)', (backend) => {
  let database: TestDatabase;
  let redis: RedisClient;
  const store = <S>(options: FlowStoreOptions): FlowStore<S> =>
    backend === 'redis' ? createRedisFlowStore<S>(database.db, redis, { ...options, key: KEY }) : createFlowStore<S>(database.db, options);
  // Rows the SQL work of an update writes: what must be there once, or not at all.
  const marks = async (flow: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from secrets where name like ${`mark:${flow}:%`}`.execute(database.db)).rows[0]!.n);

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    redis = await createRedisClient({ url: TEST_REDIS_URL, prefix: `${runId()}:flows-${randomBytes(4).toString('hex')}:` });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, '');
    await redis.quit();
    await database?.drop();
  });

  test('a flow is found by its id and kind only', async () => {
    const flows = store<Tries>({ kind: 'activation', ttlSeconds: 600 });
    const id = newFlowId();
    await flows.create(id, { left: 3 });
    expect(await flows.load(id)).toEqual({ left: 3 });
    expect(await store<Tries>({ kind: 'recovery', ttlSeconds: 600 }).load(id)).toBeUndefined();
    expect(await flows.load(newFlowId())).toBeUndefined();
    for (const hostile of ['', 'x'.repeat(10_000), '../../etc', `${id}*`, '{tag}'.padEnd(43, 'a')]) {
      expect(await flows.load(hostile)).toBeUndefined();
      expect(await flows.update(hostile, async () => { throw new Error('never called'); })).toBeUndefined();
    }
    if (backend === 'redis') {
      // Nothing of it in SQL: the flow lives in Redis only, the browser's id never stored as is.
      expect(await database.db.selectFrom('activation_flows').select('id').execute()).toEqual([]);
      expect(await redis.keys(`*${id}*`)).toEqual([]);
    }
  });

  test('two updates at once: one spends the last try, the other finds none; the SQL work done once', async () => {
    const flows = store<Tries>({ kind: 'activation', ttlSeconds: 600 });
    const id = newFlowId();
    await flows.create(id, { left: 1 });
    const spend = (n: number) => flows.update<boolean>(id, async (state, trx) => {
      if (state.left === 0) return { state, result: false };
      await trx.insertInto('secrets').values({ name: `mark:${id}:${n}`, value: JSON.stringify(n) }).execute();
      // Held a moment: the other update arrives while this one runs.
      await pause(100);
      return { state: { left: state.left - 1 }, result: true };
    });
    const results = await Promise.all([spend(1), spend(2)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await flows.load(id)).toEqual({ left: 0 });
    expect(await marks(id)).toBe(1);
  });

  test('an update that fails changes nothing, in SQL or in the flow, and leaves the flow usable', async () => {
    const flows = store<Tries>({ kind: 'activation', ttlSeconds: 600 });
    const id = newFlowId();
    await flows.create(id, { left: 2 });
    await expect(flows.update(id, async (state, trx) => {
      await trx.insertInto('secrets').values({ name: `mark:${id}:1`, value: '1' }).execute();
      throw new Error('the domain refused');
    })).rejects.toThrow('the domain refused');
    expect(await marks(id)).toBe(0);
    expect(await flows.load(id)).toEqual({ left: 2 });
    expect(await flows.update(id, async (state) => ({ state: { left: state.left - 1 }, result: 'ok' }))).toBe('ok');
    expect(await flows.load(id)).toEqual({ left: 1 });
  });

  test('a flow past its time is gone, and an update does not bring it back', async () => {
    const flows = store<Tries>({ kind: 'activation', ttlSeconds: 1 });
    const id = newFlowId();
    await flows.create(id, { left: 3 });
    expect(await flows.update(id, async (state) => ({ state: { left: state.left - 1 }, result: 'ok' }))).toBe('ok');
    if (backend === 'redis') {
      // The update kept the flow's time: it still ends one second after its creation, not after the update.
      const ttl = await redis.pttl(`flow:activation:{${flowKey(id)}}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1000);
    }
    // Waited for by polling, never timed.
    for (let i = 0; i < 100 && (await flows.load(id)) !== undefined; i += 1) await pause(100);
    expect(await flows.load(id)).toBeUndefined();
    let called = false;
    expect(await flows.update(id, async (state) => { called = true; return { state, result: 'ok' }; })).toBeUndefined();
    expect(called).toBe(false);
    expect(await flows.load(id)).toBeUndefined();
  });

  if (backend !== 'redis') return;

  test('Redis holds no readable state; an altered state, or one moved to another flow, reads as no flow', async () => {
    const flows = store<{ mobile: string }>({ kind: 'activation', ttlSeconds: 600 });
    const [first, second] = [newFlowId(), newFlowId()];
    await flows.create(first, { mobile: '+33612345678' });
    await flows.create(second, { mobile: '+33698765432' });
    const keyOf = (id: string) => `flow:activation:{${flowKey(id)}}`;
    const raw = (await redis.get(keyOf(first)))!;
    expect(raw).not.toContain('612345678');
    expect(raw).not.toContain('mobile');
    expect(await flows.load(first)).toEqual({ mobile: '+33612345678' });

    // The first flow's sealed state copied onto the second: refused, not read as the second's.
    await redis.set(keyOf(second), raw, 'KEEPTTL');
    expect(await flows.load(second)).toBeUndefined();
    expect(await flows.update(second, async (state) => ({ state, result: 'changed' }))).toBeUndefined();
    // One character changed, or a state in clear (as an earlier version wrote it): no flow either.
    await redis.set(keyOf(first), `${raw.slice(0, -2)}${raw.endsWith('A') ? 'BB' : 'AA'}`, 'KEEPTTL');
    expect(await flows.load(first)).toBeUndefined();
    await redis.set(keyOf(first), JSON.stringify({ mobile: '+33612345678' }), 'KEEPTTL');
    expect(await flows.load(first)).toBeUndefined();
  });

  test('Redis unreachable: reading or changing a flow fails as «store unavailable» (503), quickly', async () => {
    const dead = await createRedisClient({ url: `redis://127.0.0.1:${await freePort()}`, prefix: 'none:' });
    dead.on('error', () => undefined);
    const flows = createRedisFlowStore<Tries>(database.db, dead, { kind: 'activation', ttlSeconds: 600, key: KEY });
    const id = newFlowId();
    const failures = await Promise.all([
      flows.load(id).then(() => undefined, (err: unknown) => err),
      flows.create(id, { left: 1 }).then(() => undefined, (err: unknown) => err),
      flows.update(id, async (state) => ({ state, result: 1 })).then(() => undefined, (err: unknown) => err),
    ]);
    for (const err of failures) expect(isStoreUnavailable(err)).toBe(true);
    dead.disconnect();
  });
});
