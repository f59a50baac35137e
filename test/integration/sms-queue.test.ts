// The SMS queues over the real Twilio transport (stand-in), in process and on the local Redis (own key prefix): a
// bounded number in flight, a bounded number waiting (beyond, enqueue refuses), each outcome reported once to the
// handler the job names, and drain waiting for all of them. On Redis, a job outlives the instance that queued it: one
// that stops before sending, or dies while sending, leaves its jobs to another, and nothing of a sent job (its code)
// stays in Redis.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import pino from 'pino';
import { createInProcessSmsQueue, type Json, type SmsOutcome, type SmsQueue, type SmsQueueOptions } from '../../src/messaging/sms-queue.js';
import { createRedisSmsQueue } from '../../src/messaging/redis-sms-queue.js';
import { createRedisClient, deleteKeysWithPrefix, type RedisClient } from '../../src/store/redis.js';
import { TEST_REDIS_URL, runId } from '../support/env.js';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';

const logger = pino({ level: 'silent' });
const CHILD = path.join(import.meta.dirname, '../support/sms-queue-child.ts');

describe.each(['in-process', 'redis'] as const)('%s SMS queue', (kind) => {
  let standIn: TwilioStandIn;
  let redis: RedisClient;
  const key = randomBytes(32);
  const queues: SmsQueue[] = [];
  const make = (options: Omit<SmsQueueOptions, 'logger'>, visibilitySeconds = 60): SmsQueue => {
    const queue = kind === 'redis'
      ? createRedisSmsQueue({ ...options, logger, redis, key, visibilitySeconds, drainTimeoutMs: 60_000 })
      : createInProcessSmsQueue({ ...options, logger });
    queues.push(queue);
    return queue;
  };

  beforeAll(async () => {
    standIn = await startTwilioStandIn();
    if (kind === 'redis') redis = await createRedisClient({ url: TEST_REDIS_URL, prefix: `${runId()}:sms-queue-${randomBytes(4).toString('hex')}:` });
  });
  afterEach(async () => {
    standIn.release();
    await Promise.all(queues.splice(0).map((q) => q.close()));
    if (redis) await deleteKeysWithPrefix(redis, '');
  });
  afterAll(async () => {
    await standIn?.close();
    await redis?.quit();
  });

  test('one in flight, one waiting, the third refused; outcomes reported, drain waits for both', async () => {
    const queue = make({ sender: standIn.sender(logger, { SMS_RETRY_MAX: '0' }), concurrency: 1, capacity: 1 });
    const outcomes: [string, SmsOutcome, Json | undefined][] = [];
    queue.handle('test', async (o, payload, message) => void outcomes.push([message.to, o, payload]));
    await queue.start();
    const job = (to: string) => ({ message: { to, body: 'Sésame : test' }, outcome: { handler: 'test', payload: { to } } });

    standIn.misbehave('hold', { error: 21610 });
    expect(await queue.enqueue(job('+33611111111'))).toBe(true);
    await standIn.holding();
    expect(await queue.hasRoom()).toBe(true);
    expect(await queue.enqueue(job('+33622222222'))).toBe(true);
    expect(await queue.hasRoom()).toBe(false);
    expect(await queue.enqueue(job('+33633333333'))).toBe(false);
    // The second waits for the first: only one request reached Twilio.
    expect(standIn.requests).toBe(1);
    expect(outcomes).toEqual([]);

    const drained = queue.drain();
    standIn.release();
    await drained;
    expect(outcomes).toEqual([
      ['+33611111111', { sent: true }, { to: '+33611111111' }],
      ['+33622222222', { sent: false, failure: 'unsubscribed' }, { to: '+33622222222' }],
    ]);
    expect(standIn.messages.map((m) => m.to)).toEqual(['+33611111111']);
    await queue.drain();
  });

  if (kind !== 'redis') return;

  test('a job queued by an instance that stops before sending is sent by another; its body leaves Redis', async () => {
    const a = make({ sender: standIn.sender(logger), concurrency: 1, capacity: 10 });
    // A queues (its worker never started, as an instance stopping right after an answer) and stops.
    expect(await a.enqueue({ message: { to: '+33644444444', body: 'Sésame : code 123456' }, outcome: { handler: 'seen', payload: 'x' } })).toBe(true);
    await a.close();
    const stored = await redis.keys(`${redis.options.keyPrefix}*`);
    expect(stored.length).toBeGreaterThan(0);
    // Sealed: neither the code nor the number can be read in Redis.
    const waiting = await redis.lrange('sms-queue:{sms}:pending', 0, -1);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).not.toMatch(/123456|33644444444/);

    const seen: SmsOutcome[] = [];
    const b = make({ sender: standIn.sender(logger), concurrency: 2, capacity: 10 });
    b.handle('seen', async (o) => void seen.push(o));
    await b.start();
    await b.drain();
    expect(seen).toEqual([{ sent: true }]);
    expect(standIn.messages.at(-1)).toMatchObject({ to: '+33644444444', body: 'Sésame : code 123456' });
    expect(await redis.llen('sms-queue:{sms}:pending')).toBe(0);
    const left = await Promise.all((await redis.keys(`${redis.options.keyPrefix}sms-queue:{sms}:processing:*`)).map((k) => redis.llen(k.slice(redis.options.keyPrefix!.length))));
    expect(left.every((n) => n === 0)).toBe(true);
  });

  test('a job taken without an answer from Redis (stranded in a live instance’s list) is queued again and sent', async () => {
    const a = make({ sender: standIn.sender(logger, { SMS_RETRY_MAX: '0' }), concurrency: 1, capacity: 10 }, 1);
    const seen: Json[] = [];
    a.handle('seen', async (_o, payload) => void seen.push(payload ?? null));
    await a.start();
    // A is busy with a first job (Twilio holds it), so it takes nothing more.
    const before = standIn.messages.length;
    standIn.misbehave('hold');
    expect(await a.enqueue({ message: { to: '+33611111111', body: 'Sésame : un' }, outcome: { handler: 'seen', payload: 'un' } })).toBe(true);
    await standIn.holding();
    // The second reaches A's processing list the way a BLMOVE whose answer was lost leaves it: never run.
    expect(await a.enqueue({ message: { to: '+33622222222', body: 'Sésame : deux' }, outcome: { handler: 'seen', payload: 'deux' } })).toBe(true);
    const [me] = await redis.smembers('sms-queue:{sms}:instances');
    expect(await redis.lmove('sms-queue:{sms}:pending', `sms-queue:{sms}:processing:${me}`, 'LEFT', 'RIGHT')).not.toBeNull();
    standIn.release();
    for (let i = 0; i < 400 && seen.length < 2; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['un', 'deux']);
    expect(standIn.messages.slice(before).map((m) => m.body)).toEqual(['Sésame : un', 'Sésame : deux']);
  });

  test('an instance killed while sending: after its visibility timeout another instance sends the job', async () => {
    // A (another process) takes the job and is killed in the middle of its send: nothing is given back.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: redis.options.keyPrefix!, QUEUE_KEY: key.toString('hex'), TO: '+33655555555', BODY: 'Sésame : code 654321' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (d: string) => d.includes('taken') && resolve());
      child.once('exit', () => reject(new Error('the child ended before taking the job')));
    });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    expect(await redis.llen('sms-queue:{sms}:pending')).toBe(0);

    const sent = standIn.messages.length;
    const b = make({ sender: standIn.sender(logger), concurrency: 1, capacity: 10 }, 1);
    await b.start();
    for (let i = 0; i < 400 && standIn.messages.length === sent; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(standIn.messages.slice(sent)).toMatchObject([{ to: '+33655555555', body: 'Sésame : code 654321' }]);
    await b.drain();
    // The dead instance is forgotten, and no copy of the message is left anywhere in Redis.
    expect(await redis.smembers('sms-queue:{sms}:instances')).toHaveLength(1);
    const lists = await redis.keys(`${redis.options.keyPrefix}sms-queue:{sms}:processing:*`);
    const lengths = await Promise.all(lists.map((k) => redis.llen(k.slice(redis.options.keyPrefix!.length))));
    expect(lengths.every((n) => n === 0)).toBe(true);
  });
});
