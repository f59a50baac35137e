// SMS sent after the answer: a flow puts a message in the queue and answers at once; a bounded in-process worker
// sends it through the SmsSender and reports the outcome to whoever queued it. A slow or refusing provider then
// never shows in a response's time or page (a match must look like a miss).
import type { Logger } from 'pino';
import { maskPhone } from '../logger.js';
import { SmsError, type SmsFailureKind, type SmsMessage, type SmsSender } from './sms-sender.js';

export type SmsOutcome = { sent: true } | { sent: false; failure: SmsFailureKind };

export interface SmsJob {
  message: SmsMessage;
  /** Told once whether the message left; a failure here is logged, never retried. */
  report(outcome: SmsOutcome): Promise<void>;
}

export interface SmsQueue {
  /** Takes the job for sending after the current answer; false when the queue is full (nothing will be sent). */
  enqueue(job: SmsJob): boolean;
  /** Whether `enqueue` would take a job now (a request that sends nothing must fail as one that would). */
  hasRoom(): boolean;
  /** Resolves once every job taken so far has been sent or has failed (graceful stop, tests). */
  drain(): Promise<void>;
}

export interface SmsQueueOptions {
  sender: SmsSender;
  logger: Logger;
  /** Messages in flight at once (each may wait for Twilio's timeout and retries). */
  concurrency: number;
  /** Messages waiting at most; beyond, enqueue refuses (the flow records the failure). */
  capacity: number;
}

/** The in-process queue: jobs live in this process's memory (a restart loses the ones not yet sent). */
export function createInProcessSmsQueue(options: SmsQueueOptions): SmsQueue {
  const { sender, logger } = options;
  const waiting: SmsJob[] = [];
  let running = 0;
  let idle: (() => void)[] = [];

  async function run(job: SmsJob): Promise<void> {
    let outcome: SmsOutcome;
    try {
      await sender.send(job.message);
      outcome = { sent: true };
    } catch (err) {
      const kind = err instanceof SmsError ? err.kind : 'unavailable';
      logger.warn({ mobile: maskPhone(job.message.to), kind, detail: err instanceof SmsError ? err.detail : String(err) }, 'queued SMS failed');
      outcome = { sent: false, failure: kind };
    }
    try {
      await job.report(outcome);
    } catch (err) {
      logger.error({ err, mobile: maskPhone(job.message.to) }, 'could not record an SMS outcome');
    }
  }

  function pump(): void {
    while (running < options.concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      running += 1;
      void run(job).finally(() => {
        running -= 1;
        pump();
        if (running === 0 && waiting.length === 0) {
          const resolve = idle;
          idle = [];
          for (const r of resolve) r();
        }
      });
    }
  }

  return {
    enqueue(job) {
      if (waiting.length >= options.capacity) return false;
      waiting.push(job);
      // Started on the next turn of the event loop: the request that queued it finishes its own work first.
      setImmediate(pump);
      return true;
    },
    hasRoom: () => waiting.length < options.capacity,
    drain() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
