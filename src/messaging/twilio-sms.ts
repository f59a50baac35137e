// The Twilio transport: one SMS through Twilio's Messages API with the official library, each refusal turned into a
// typed SmsError and one structured log line (masked number, never the body).
import type twilio from 'twilio';
import type { Logger } from 'pino';
import type { SmsSettings } from '../config.js';
import { maskPhone } from '../logger.js';
import { isE164, SmsError, type SmsFailureKind, type SmsMessage, type SmsReceipt, type SmsSender } from './sms-sender.js';

export interface TwilioSmsOptions {
  /** Replaces the library's HTTP client: tests pass one that reaches a local stand-in of the API. */
  httpClient?: twilio.RequestClient;
  /** How the backoff waits; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
}

/** Twilio error codes that say something about the recipient, not about Twilio or us. */
const RECIPIENT_CODES: Record<number, SmsFailureKind> = {
  21211: 'invalid_number',
  21614: 'invalid_number',
  21610: 'unsubscribed',
  21408: 'region_not_enabled',
};
const TOO_MANY_REQUESTS = 20429;

interface Failure {
  kind: SmsFailureKind;
  twilioCode: number | undefined;
  httpStatus: number | undefined;
  /** Safe for logs: a code or a status, never Twilio's message (it quotes the number). */
  detail: string;
}

/** Reads what the library threw: a RestException (status + Twilio code) or a network error from axios. */
export function classifyTwilioFailure(err: unknown): Failure {
  const e = (err ?? {}) as { status?: unknown; code?: unknown; name?: unknown };
  if (typeof e.status === 'number') {
    const twilioCode = typeof e.code === 'number' ? e.code : undefined;
    const known = twilioCode === undefined ? undefined : RECIPIENT_CODES[twilioCode];
    const kind: SmsFailureKind =
      known ?? (twilioCode === TOO_MANY_REQUESTS || e.status === 429 ? 'rate_limited' : 'unavailable');
    return { kind, twilioCode, httpStatus: e.status, detail: `twilio ${twilioCode ?? '-'} (HTTP ${e.status})` };
  }
  const code = typeof e.code === 'string' && /^[A-Z_]{2,40}$/.test(e.code) ? e.code : 'unknown';
  return { kind: 'unavailable', twilioCode: undefined, httpStatus: undefined, detail: `network ${code}` };
}

function timeout(ms: number): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createTwilioSmsSender(settings: SmsSettings, logger: Logger, options: TwilioSmsOptions = {}): SmsSender {
  const account = settings.twilio;
  if (!account) throw new Error('createTwilioSmsSender needs the TWILIO_* settings');
  // The library weighs ~25 MB of memory: loaded at the first SMS, not at start (most instances never send one).
  let client: Promise<twilio.Twilio> | undefined;
  const getClient = () =>
    (client ??= import('twilio').then(({ default: makeClient }) =>
      makeClient(account.accountSid, account.authToken, {
        timeout: settings.timeoutMs,
        autoRetry: false, // we retry 20429 ourselves, with a bounded total wait
        ...(options.httpClient ? { httpClient: options.httpClient } : {}),
      }),
    ));
  const sleep = options.sleep ?? realSleep;
  const { maxRetries, baseDelayMs, maxTotalMs } = settings.retry;
  const sender = account.messagingServiceSid ? { messagingServiceSid: account.messagingServiceSid } : { from: account.from! };

  async function attempt(message: SmsMessage): Promise<SmsReceipt> {
    // The library's own timeout covers its default client; this one also bounds an injected client or a hung socket.
    const guard = timeout(settings.timeoutMs + 1000);
    try {
      const sent = await Promise.race([getClient().then((c) => c.messages.create({ to: message.to, body: message.body, ...sender })), guard.promise]);
      return { id: sent.sid };
    } finally {
      guard.cancel();
    }
  }

  return {
    async send(message) {
      const to = maskPhone(message.to);
      // Refused before any request: Twilio would answer 21211 anyway, and a malformed value has no business there.
      if (!isE164(message.to)) {
        logger.warn({ channel: 'sms', kind: 'invalid_number', to, tries: 0 }, 'sms not sent');
        throw new SmsError('invalid_number', 'not an E.164 number');
      }
      let waited = 0;
      for (let tries = 1; ; tries += 1) {
        try {
          const receipt = await attempt(message);
          logger.info({ channel: 'sms', to, sid: receipt.id, tries }, 'sms sent');
          return receipt;
        } catch (err) {
          const failure = classifyTwilioFailure(err);
          // Only "too many requests" is retried: after a timeout or a 5xx the SMS may well have gone out, and
          // sending it twice costs twice and confuses the parent.
          if (failure.kind === 'rate_limited' && tries <= maxRetries) {
            const nominal = baseDelayMs * 2 ** (tries - 1);
            const delay = Math.round(nominal / 2 + (Math.random() * nominal) / 2);
            if (waited + delay <= maxTotalMs) {
              logger.debug({ channel: 'sms', to, twilioCode: failure.twilioCode, tries, delay }, 'sms rate limited, retrying');
              await sleep(delay);
              waited += delay;
              continue;
            }
          }
          const level = failure.kind === 'unavailable' ? 'error' : 'warn';
          logger[level](
            { channel: 'sms', kind: failure.kind, twilioCode: failure.twilioCode, httpStatus: failure.httpStatus, to, tries },
            'sms not sent',
          );
          throw new SmsError(failure.kind, failure.detail);
        }
      }
    },
  };
}
