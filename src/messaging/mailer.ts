// Sends mail: nodemailer over SMTP (SMTP_URL), or the development outbox. Failures become a typed MailError whose
// kind decides what the person is told; each is logged once with the address masked.
import { randomUUID } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { ConfigError, type Config, type MailSettings } from '../config.js';
import { createOutbox, type Outbox } from './outbox.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailReceipt {
  id: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<MailReceipt>;
}

export type MailFailureKind =
  | 'invalid_address' // malformed, or the server refused the recipient for good (5xx at RCPT TO)
  | 'rejected' // the server refused the message itself for good (5xx at MAIL FROM or DATA)
  | 'unavailable'; // could not connect, timed out, temporary (4xx) refusal, bad credentials

export class MailError extends Error {
  constructor(
    readonly kind: MailFailureKind,
    /** For logs: never the full address, never the content. */
    readonly detail: string,
  ) {
    super(`mail ${kind}: ${detail}`);
    this.name = 'MailError';
  }
}

// Deliberately plain: one @, a dot in the domain, no spaces, brackets, quotes or control characters. What a school
// or a parent types; anything stranger is refused before it reaches a server.
const ADDRESS = /^[^\s@<>()[\]",;:\\\x00-\x1f\x7f]{1,64}@[^\s@<>()[\]",;:\\\x00-\x1f\x7f]+\.[^\s@<>()[\]",;:\\\x00-\x1f\x7f.]+$/;

export function isMailAddress(value: string): boolean {
  return value.length <= 254 && ADDRESS.test(value);
}

/** `marie.dupont@example.fr` → `m…@example.fr`: which provider, not who. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '…';
  return `${address[0]}…${address.slice(at)}`;
}

interface SmtpishError {
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
  command?: unknown;
}

/** Reads what nodemailer threw: an SMTP reply (code, permanence, command) or a connection failure. */
export function toMailError(err: unknown): MailError {
  if (err instanceof MailError) return err;
  const e = (err ?? {}) as SmtpishError;
  const code = typeof e.code === 'string' && /^[A-Z_]{2,40}$/.test(e.code) ? e.code : 'unknown';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const detail = `smtp ${code}${responseCode ? ` ${responseCode}` : ''}`;
  if (responseCode !== undefined && e.permanent === true) {
    const atRecipient = code === 'EENVELOPE' && typeof e.command === 'string' && /^RCPT/i.test(e.command);
    return new MailError(atRecipient ? 'invalid_address' : 'rejected', detail);
  }
  return new MailError('unavailable', detail);
}

function checkMessage(message: MailMessage): void {
  if (!isMailAddress(message.to)) throw new MailError('invalid_address', 'malformed address');
}

export function createSmtpMailer(settings: MailSettings, logger: Logger): Mailer {
  if (!settings.smtpUrl) throw new Error('createSmtpMailer needs SMTP_URL');
  // nodemailer is loaded with the first message: an instance that sends none does not hold it in memory.
  let transport: Promise<Transporter> | undefined;
  const transporter = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url: settings.smtpUrl,
        connectionTimeout: settings.timeoutMs,
        greetingTimeout: settings.timeoutMs,
        socketTimeout: settings.timeoutMs,
      })));
  return {
    async send(message) {
      const to = maskEmail(message.to);
      try {
        checkMessage(message);
        const info = await (await transporter()).sendMail({
          from: settings.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
        });
        logger.info({ channel: 'mail', to, messageId: info.messageId }, 'mail sent');
        return { id: info.messageId };
      } catch (err) {
        const failure = toMailError(err);
        const level = failure.kind === 'unavailable' ? 'error' : 'warn';
        logger[level]({ channel: 'mail', kind: failure.kind, detail: failure.detail, to }, 'mail not sent');
        throw failure;
      }
    },
  };
}

export function createOutboxMailer(outbox: Outbox): Mailer {
  return {
    async send(message) {
      checkMessage(message);
      await outbox.append({ channel: 'mail', to: message.to, subject: message.subject, text: message.text });
      return { id: `outbox-${randomUUID()}` };
    },
  };
}

export interface MailerOptions {
  /** The outbox to write to when MAIL_TRANSPORT=outbox (shared with the SMS outbox and /dev/outbox). */
  outbox?: Outbox;
}

/** The mailer the configuration asks for. */
export function createMailer(config: Config, logger: Logger, options: MailerOptions = {}): Mailer {
  if (config.mail.transport === 'smtp') return createSmtpMailer(config.mail, logger);
  if (config.env === 'production') throw new ConfigError('the mail outbox is refused in production');
  return createOutboxMailer(options.outbox ?? createOutbox(config.dataDir));
}
