// The SMS queue on Redis when REDIS_URL is set: a job queued by one instance is sent by whichever instance is free,
// and survives the restart or the loss of the one that queued it. The reliable-list pattern:
//
//   sms-queue:{sms}:pending               jobs waiting (RPUSH; bounded by SMS_QUEUE_CAPACITY, checked in the same script)
//   sms-queue:{sms}:processing:<instance> jobs an instance took (BLMOVE from pending, atomically) and is sending
//   sms-queue:{sms}:alive:<instance>      the instance's heartbeat, expiring after SMS_QUEUE_VISIBILITY_SECONDS
//   sms-queue:{sms}:instances             the instances that may hold processing jobs
//
// A job leaves Redis (LREM) as soon as its outcome is recorded. An instance whose heartbeat expired (killed, frozen,
// cut off) has its processing jobs moved back to pending by any other instance: such a job may then be sent twice
// (at least once, never lost). Every key shares the hash tag {sms}, so the scripts and BLMOVE stay in one Cluster
// slot. A job carries a code and a phone number: it is sealed (src/store/sealed-json.ts: a key kept in the database's
// secrets, so a Redis dump alone reads no queued code or number), and nothing of it is ever logged but the masked number.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../store/redis.js';
import { openJson, sealJson } from '../store/sealed-json.js';
import { createOutcomeHandlers, type SmsJob, type SmsQueue, type SmsQueueOptions } from './sms-queue.js';

export interface RedisSmsQueueOptions extends SmsQueueOptions {
  redis: RedisClient;
  /** 32 bytes sealing the jobs (the `sms-queue-key` secret). */
  key: Buffer;
  /** After this long without a heartbeat, an instance's jobs in flight go back to pending. */
  visibilitySeconds: number;
  /** How long drain (and so a graceful stop) waits at most for the queue to empty. */
  drainTimeoutMs?: number;
}

const TAG = 'sms-queue:{sms}';
const PENDING = `${TAG}:pending`;
const INSTANCES = `${TAG}:instances`;
const processing = (id: string) => `${TAG}:processing:${id}`;
const alive = (id: string) => `${TAG}:alive:${id}`;

// KEYS: pending; ARGV: entry, capacity. 1 taken, 0 full.
const ENQUEUE = `if redis.call('llen', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('rpush', KEYS[1], ARGV[1])
return 1`;
// KEYS: alive, processing, pending, instances; ARGV: instance id. Moves a dead instance's jobs back (in order, to
// the head: they were queued first) and forgets it; returns how many moved.
const REAP = `if redis.call('exists', KEYS[1]) == 1 then return -1 end
local n = 0
while redis.call('lmove', KEYS[2], KEYS[3], 'RIGHT', 'LEFT') do n = n + 1 end
redis.call('srem', KEYS[4], ARGV[1])
return n`;
// KEYS: processing, pending; ARGV: entries to move back. Moves each one still in this instance's processing list back
// to the head of pending (one that was removed meanwhile stays removed); returns how many moved.
const GIVE_BACK = `local n = 0
for i = 1, #ARGV do
  if redis.call('lrem', KEYS[1], 1, ARGV[i]) == 1 then redis.call('lpush', KEYS[2], ARGV[i]); n = n + 1 end
end
return n`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createRedisSmsQueue(options: RedisSmsQueueOptions): SmsQueue {
  const { redis, sender, logger, key } = options;
  const me = randomUUID();
  const visibilityMs = options.visibilitySeconds * 1000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 5_000;
  const handlers = createOutcomeHandlers(logger);
  // BLMOVE blocks its connection: it gets its own, so the shared one keeps serving requests.
  let blocking: RedisClient | undefined;
  let running = 0;
  let started = false;
  let stopping = false;
  let fetching: Promise<void> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let wake: (() => void)[] = [];
  // Entries sent whose LREM failed (Redis down): removed at the next heartbeat, so they are not sent again.
  const unremoved = new Set<string>();
  // Entries this instance is sending. An entry in our processing list that is neither sending nor unremoved was
  // moved there by a BLMOVE whose answer was lost (a timeout, a dropped connection): seen so at two heartbeats in a
  // row (`stranded`), it goes back to pending instead of waiting for this instance to die.
  const sending = new Set<string>();
  let stranded = new Set<string>();
  // Jobs are only taken once this instance is listed among the instances, or nobody would give them back if it died.
  let registered = false;
  let warned = false;

  const notify = () => {
    const waiting = wake;
    wake = [];
    for (const w of waiting) w();
  };
  const changed = (ms: number) => new Promise<void>((resolve) => {
    wake.push(resolve);
    setTimeout(resolve, ms).unref();
  });

  async function run(entry: string): Promise<void> {
    sending.add(entry);
    try {
      let job: SmsJob | undefined;
      try {
        job = openJson<SmsJob>(key, entry);
      } catch {
        // Sealed with another key (the secret was replaced) or damaged: it can never be sent.
        logger.error('an unreadable SMS job was dropped');
      }
      if (job) await handlers.deliver(sender, job);
      try {
        await redis.lrem(processing(me), 1, entry);
      } catch {
        unremoved.add(entry);
      }
    } finally {
      sending.delete(entry);
      running -= 1;
      notify();
    }
  }

  /** Moves back to pending what sits in our processing list without being sent or sending (see `sending`). */
  async function giveBack(entries: string[]): Promise<number> {
    return entries.length ? ((await redis.eval(GIVE_BACK, 2, processing(me), PENDING, ...entries)) as number) : 0;
  }

  async function fetchLoop(): Promise<void> {
    while (!stopping) {
      if (running >= options.concurrency || !registered) {
        await changed(1000);
        continue;
      }
      let entry: string | null;
      try {
        entry = await blocking!.blmove(PENDING, processing(me), 'LEFT', 'RIGHT', 1);
        warned = false;
      } catch (err) {
        if (!warned) logger.warn({ err: (err as Error).message }, 'SMS queue: Redis unreachable, retrying');
        warned = true;
        await pause(1000);
        continue;
      }
      if (entry) {
        running += 1;
        void run(entry);
      }
    }
  }

  /** Says this instance is alive, finishes removals that failed, and gives back the jobs of dead instances. */
  async function beat(): Promise<void> {
    await redis.set(alive(me), '1', 'PX', visibilityMs);
    await redis.sadd(INSTANCES, me);
    registered = true;
    for (const entry of unremoved) {
      await redis.lrem(processing(me), 1, entry);
      unremoved.delete(entry);
    }
    const idle = (await redis.lrange(processing(me), 0, -1)).filter((e) => !sending.has(e) && !unremoved.has(e));
    const given = await giveBack(idle.filter((e) => stranded.has(e)));
    if (given > 0) logger.warn({ moved: given }, 'SMS queue: jobs taken without an answer from Redis were queued again');
    stranded = new Set(idle);
    for (const other of await redis.smembers(INSTANCES)) {
      if (other === me) continue;
      const moved = (await redis.eval(REAP, 4, alive(other), processing(other), PENDING, INSTANCES, other)) as number;
      if (moved > 0) logger.warn({ moved, instance: other }, 'SMS queue: jobs of an instance that stopped answering were queued again');
    }
  }

  async function settled(): Promise<boolean> {
    if (running > 0) return false;
    const [waiting, mine] = await Promise.all([redis.llen(PENDING), redis.llen(processing(me))]);
    return waiting === 0 && mine === unremoved.size;
  }

  async function drain(): Promise<void> {
    const deadline = Date.now() + drainTimeoutMs;
    while (Date.now() < deadline) {
      try {
        if (await settled()) return;
      } catch {
        return; // Redis unreachable: what is queued stays there for later.
      }
      await changed(50);
    }
    logger.warn('SMS queue: stopped waiting for the queue to empty; what is left stays in Redis');
  }

  return {
    handle: handlers.handle,
    async enqueue(job) {
      return (await redis.eval(ENQUEUE, 1, PENDING, sealJson(key, job), options.capacity)) === 1;
    },
    async hasRoom() {
      return (await redis.llen(PENDING)) < options.capacity;
    },
    async start() {
      if (started) return;
      started = true;
      blocking = redis.duplicate();
      blocking.on('error', () => undefined); // reported by the fetch loop, once
      await beat().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'SMS queue: first heartbeat failed'));
      heartbeat = setInterval(() => {
        beat().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'SMS queue: heartbeat failed'));
      }, Math.max(250, Math.floor(visibilityMs / 3)));
      heartbeat.unref();
      fetching = fetchLoop();
    },
    drain,
    async close() {
      if (started) await drain();
      stopping = true;
      await fetching;
      while (running > 0) await changed(1000);
      clearInterval(heartbeat);
      if (started) {
        // Nothing of ours is in flight: what is left in our list was either sent (its removal failed) or taken without
        // an answer (never sent): the first is removed, the second queued again. Others need not wait for our
        // heartbeat to expire.
        await (async () => {
          const left = await redis.lrange(processing(me), 0, -1);
          await giveBack(left.filter((e) => !unremoved.has(e)));
          await redis.del(processing(me));
        })().catch(() => undefined);
        await redis.del(alive(me)).catch(() => undefined);
        await redis.srem(INSTANCES, me).catch(() => undefined);
      }
      blocking?.disconnect();
    },
  };
}
