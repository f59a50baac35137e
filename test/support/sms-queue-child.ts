// A separate process holding a Redis SMS queue whose sender never answers: it queues one job, takes it, says
// "taken" once the send has begun, and waits, so that a test can kill it (SIGKILL) in the middle of a send.
import pino from 'pino';
import { createRedisSmsQueue } from '../../src/messaging/redis-sms-queue.js';
import { createRedisClient } from '../../src/store/redis.js';

const redis = await createRedisClient({ url: process.env.REDIS_URL!, prefix: process.env.REDIS_PREFIX! });
const queue = createRedisSmsQueue({
  redis,
  key: Buffer.from(process.env.QUEUE_KEY!, 'hex'),
  logger: pino({ level: 'silent' }),
  sender: {
    send: () => {
      process.stdout.write('taken\n');
      return new Promise(() => undefined);
    },
  },
  concurrency: 1,
  capacity: 10,
  visibilitySeconds: Number(process.env.VISIBILITY_SECONDS ?? 1),
});
await queue.start();
await queue.enqueue({ message: { to: process.env.TO!, body: process.env.BODY! }, outcome: { handler: 'log', payload: 'child' } });
