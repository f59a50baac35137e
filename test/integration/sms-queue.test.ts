// The SMS queue over the real Twilio transport (stand-in): a bounded number in flight, a bounded number waiting
// (beyond, enqueue refuses), each outcome reported once, and drain waiting for all of them.
import pino from 'pino';
import { createInProcessSmsQueue, type SmsOutcome } from '../../src/messaging/sms-queue.js';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';

describe('in-process SMS queue', () => {
  let standIn: TwilioStandIn;
  beforeAll(async () => {
    standIn = await startTwilioStandIn();
  });
  afterAll(async () => {
    await standIn?.close();
  });

  test('one in flight, one waiting, the third refused; outcomes reported, drain waits for both', async () => {
    const logger = pino({ level: 'silent' });
    const queue = createInProcessSmsQueue({ sender: standIn.sender(logger, { SMS_RETRY_MAX: '0' }), logger, concurrency: 1, capacity: 1 });
    const outcomes: [string, SmsOutcome][] = [];
    const job = (to: string) => ({ message: { to, body: 'Sésame : test' }, report: async (o: SmsOutcome) => void outcomes.push([to, o]) });

    standIn.misbehave('hold', { error: 21610 });
    expect(queue.enqueue(job('+33611111111'))).toBe(true);
    await standIn.holding();
    expect(queue.enqueue(job('+33622222222'))).toBe(true);
    expect(queue.enqueue(job('+33633333333'))).toBe(false);
    // The second waits for the first: only one request reached Twilio.
    expect(standIn.requests).toBe(1);
    expect(outcomes).toEqual([]);

    const drained = queue.drain();
    standIn.release();
    await drained;
    expect(outcomes).toEqual([
      ['+33611111111', { sent: true }],
      ['+33622222222', { sent: false, failure: 'unsubscribed' }],
    ]);
    expect(standIn.messages.map((m) => m.to)).toEqual(['+33611111111']);
    await queue.drain();
  });
});
