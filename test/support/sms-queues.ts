// The SMS queues of the Sésames a test file started in this process: SMS leave after the answer, so whoever reads
// the outbox (a parent's phone) first lets every queued SMS leave.
import type { SmsQueue } from '../../src/messaging/sms-queue.js';

const queues = new Set<SmsQueue>();

/** Tracks a running Sésame's queue; returns the function that forgets it. */
export function trackSmsQueue(queue: SmsQueue): () => void {
  queues.add(queue);
  return () => queues.delete(queue);
}

/** Resolves once every SMS queued so far has been sent or has failed. */
export async function drainSmsQueues(): Promise<void> {
  await Promise.all([...queues].map((q) => q.drain()));
}
