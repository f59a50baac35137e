// Chooses the SMS transport the configuration asks for: Twilio, or the development outbox.
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config.js';
import { createOutbox, createOutboxSmsSender, type Outbox } from './outbox.js';
import type { SmsSender } from './sms-sender.js';
import { createTwilioSmsSender, type TwilioSmsOptions } from './twilio-sms.js';

export interface SmsSenderOptions extends TwilioSmsOptions {
  /** The outbox to write to when SMS_TRANSPORT=outbox (shared with the mail outbox and /dev/outbox). */
  outbox?: Outbox;
}

export function createSmsSender(config: Config, logger: Logger, options: SmsSenderOptions = {}): SmsSender {
  if (config.sms.transport === 'twilio') return createTwilioSmsSender(config.sms, logger, options);
  // loadConfig already refuses this; a hand-built Config must not slip through either.
  if (config.env === 'production') throw new ConfigError('the SMS outbox is refused in production');
  return createOutboxSmsSender(options.outbox ?? createOutbox(config.dataDir));
}
