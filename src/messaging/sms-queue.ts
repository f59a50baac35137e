// SMS sent after the answer: a flow puts a message in the queue and answers at once; a bounded worker sends it
// through the SmsSender and reports the outcome to whoever queued it. A slow or refusing provider then never shows
// in a response's time or page (a match must look like a miss).
//
// A job is plain data so that it can wait in Redis and be sent by another instance (redis-sms-queue.ts): the
// outcome goes to a handler named in the job (`{ handler: 'activation', payload: {...} }`), registered at start-up
// by the flow that queues such jobs. This file holds what both queues share and the in-process queue (the
// embedded default, and any deployment without REDIS_URL).
import type { Logger } from 'pino';
import { maskPhone } from '../logger.js';
import { SmsError, type SmsFailureKind, type SmsMessage, type SmsSender } from './sms-sender.js';

export type SmsOutcome = { sent: true } | { sent: false; failure: SmsFailureKind };

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface SmsJob {
  message: SmsMessage;
  /** Who is told whether the message left: a handler registered with `handle`, and what it needs (JSON). */
  outcome: { handler: string; payload?: Json };
}

/** Told once whether a message left; a failure here is logged, never retried. */
export type OutcomeHandler = (outcome: SmsOutcome, payload: Json | undefined, message: { to: string }) => Promise<void>;

export interface SmsQueue {
  /** Registers the handler jobs name in `outcome.handler` (at start-up, before `start`). */
  handle(name: string, handler: OutcomeHandler): void;
  /** Takes the job for sending after the current answer; false when the queue is full (nothing will be sent). */
  enqueue(job: SmsJob): Promise<boolean>;
  /** Whether `enqueue` would take a job now (a request that sends nothing must fail as one that would). */
  hasRoom(): Promise<boolean>;
  /** Starts sending (once every handler is registered). */
  start(): Promise<void>;
  /** Resolves once the jobs queued so far have been sent or have failed (tests; bounded on Redis). */
  drain(): Promise<void>;
  /** Graceful stop: drains, then stops taking jobs; what is left waits in Redis for another instance. */
  close(): Promise<void>;
}

export interface SmsQueueOptions {
  sender: SmsSender;
  logger: Logger;
  /** Messages in flight at once on this instance (each may wait for Twilio's timeout and retries). */
  concurrency: number;
  /** Messages waiting at most; beyond, enqueue refuses (the flow records the failure). */
  capacity: number;
}

/** The outcome handlers of one queue, with the built-in `log` (payload: the log line's message). */
export function createOutcomeHandlers(logger: Logger) {
  const handlers = new Map<string, OutcomeHandler>();
  handlers.set('log', async (outcome, payload, message) => {
    logger.info({ mobile: maskPhone(message.to), sent: outcome.sent }, typeof payload === 'string' ? payload : 'queued SMS');
  });
  return {
    handle(name: string, handler: OutcomeHandler): void {
      handlers.set(name, handler);
    },
    /** Sends one job and tells its handler; never throws. */
    async deliver(sender: SmsSender, job: SmsJob): Promise<void> {
      let outcome: SmsOutcome;
      try {
        await sender.send(job.message);
        outcome = { sent: true };
      } catch (err) {
        const kind = err instanceof SmsError ? err.kind : 'unavailable';
        logger.warn({ mobile: maskPhone(job.message.to), kind, detail: err instanceof SmsError ? err.detail : String(err) }, 'queued SMS failed');
        outcome = { sent: false, failure: kind };
      }
      const handler = handlers.get(job.outcome.handler);
      if (!handler) {
        logger.error({ handler: job.outcome.handler, mobile: maskPhone(job.message.to) }, 'no handler for an SMS outcome');
        return;
      }
      try {
        await handler(outcome, job.outcome.payload, { to: job.message.to });
      } catch (err) {
        logger.error({ err, mobile: maskPhone(job.message.to) }, 'could not record an SMS outcome');
      }
    },
  };
}

/** The in-process queue: jobs live in this process's memory (a restart loses the ones not yet sent). */
export function createInProcessSmsQueue(options: SmsQueueOptions): SmsQueue {
  const { sender, logger } = options;
  const handlers = createOutcomeHandlers(logger);
  const waiting: SmsJob[] = [];
  let running = 0;
  let idle: (() => void)[] = [];

  function pump(): void {
    while (running < options.concurrency && waiting.length > 0) {
      const job = waiting.shift()!;
      running += 1;
      void handlers.deliver(sender, job).finally(() => {
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

  const drain = () => (running === 0 && waiting.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve)));
  return {
    handle: handlers.handle,
    async enqueue(job) {
      if (waiting.length >= options.capacity) return false;
      waiting.push(job);
      // Started on the next turn of the event loop: the request that queued it finishes its own work first.
      setImmediate(pump);
      return true;
    },
    hasRoom: async () => waiting.length < options.capacity,
    start: async () => undefined,
    drain,
    close: drain,
  };
}
