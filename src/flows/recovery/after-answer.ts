// Mail that leaves after the answer: a slow or failing SMTP server must not show in the time or the page of a
// neutral answer. Each send is tracked so that a stop (and a test) can wait for it; failures are logged, masked.
import type { Logger } from 'pino';
import { maskEmail, type MailMessage, type Mailer } from '../../messaging/mailer.js';

export interface MailAfterAnswer {
  send(message: MailMessage, what: string): void;
  /** Resolves once every mail handed over so far has left or failed. */
  drain(): Promise<void>;
}

export function createMailAfterAnswer(mailer: Mailer, logger: Logger): MailAfterAnswer {
  const pending = new Set<Promise<void>>();
  return {
    send(message, what) {
      const job = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => mailer.send(message))
        .then(
          () => logger.info({ to: maskEmail(message.to), what }, 'recovery mail sent'),
          (err: unknown) => logger.warn({ to: maskEmail(message.to), what, err: err instanceof Error ? err.message : String(err) }, 'recovery mail not sent'),
        )
        .finally(() => pending.delete(job));
      pending.add(job);
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
