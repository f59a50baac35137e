// The real `twilio` library against a stand-in of Twilio's Messages API on 127.0.0.1: what reaches Twilio, how each
// of its refusals becomes a typed SmsError, and that the log says what happened without the number or the message.
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createSmsSender } from '../../src/messaging/sms-transport.js';
import { SmsError, type SmsFailureKind, type SmsSender } from '../../src/messaging/sms-sender.js';
import { activationCodeSms } from '../../src/messaging/sms-texts.js';
import {
  STAND_IN_ACCOUNT_SID,
  STAND_IN_ENV,
  STAND_IN_SERVICE_SID,
  startTwilioStandIn,
  type Misbehaviour,
  type TwilioStandIn,
} from '../support/twilio-stand-in.js';

const NUMBER = '+33612345678';
const BODY = activationCodeSms('482913');

/** A pino logger writing into an array, one parsed object per line. */
function capturingLogger(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: pino({ level }, stream), lines, raw };
}

function config(env: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: '/nonexistent-outbox-must-not-be-used',
    ...STAND_IN_ENV,
    // Generous: on a loaded machine the stand-in (in this process) has taken over 800 ms to answer. Only the tests of
    // a hung request use short limits, and those wait for a request that never gets an answer.
    TWILIO_TIMEOUT_MS: '10000',
    SMS_RETRY_BASE_MS: '20',
    ...env,
  });
}

let standIn: TwilioStandIn;

beforeAll(async () => {
  standIn = await startTwilioStandIn();
});

afterEach(() => standIn.behave());

afterAll(async () => {
  await standIn.close();
});

function sender(env: Record<string, string> = {}, level?: string, clientTimeoutMs = 10000) {
  const log = capturingLogger(level);
  // Backoff waits are recorded, not timed: what the sender decided to wait is the behaviour under test.
  const waits: number[] = [];
  const sleep = (ms: number) => {
    waits.push(ms);
    return new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 50)));
  };
  const sms: SmsSender = createSmsSender(config(env), log.logger, { httpClient: standIn.httpClient({ timeout: clientTimeoutMs }), sleep });
  return { sms, waits, ...log };
}

async function failure(sms: SmsSender): Promise<SmsError> {
  const error: unknown = await sms.send({ to: NUMBER, body: BODY }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmsError);
  return error as SmsError;
}

/** Nothing anywhere gives away the number or the code. */
function expectNothingSecret(raw: string[], error?: SmsError) {
  for (const text of [...raw, error?.message ?? '', error?.detail ?? '']) {
    expect(text).not.toContain('612345678');
    expect(text).not.toContain('482913');
  }
}

describe('Twilio transport', () => {
  it('sends through a messaging service: account path, Basic auth and form fields as Twilio expects', async () => {
    const { sms, lines, raw } = sender();
    const before = standIn.messages.length;
    const receipt = await sms.send({ to: NUMBER, body: BODY });
    const received = standIn.messages.slice(before);
    expect(received).toEqual([{ sid: receipt.id, to: NUMBER, body: BODY, from: undefined, messagingServiceSid: STAND_IN_SERVICE_SID }]);
    expect(receipt.id).toMatch(/^SM[0-9a-f]{32}$/);
    expect(lines).toEqual([expect.objectContaining({ msg: 'sms sent', channel: 'sms', to: '+33 6 ** ** ** 78', sid: receipt.id, tries: 1 })]);
    expectNothingSecret(raw);
  });

  it('standIn.sender() gives the same transport, ready to hand to createSesame', async () => {
    const log = capturingLogger();
    const receipt = await standIn.sender(log.logger).send({ to: NUMBER, body: BODY });
    expect(standIn.messages.at(-1)).toMatchObject({ sid: receipt.id, to: NUMBER, body: BODY });
  });

  it('sends from a number when no messaging service is configured', async () => {
    const { sms } = sender({ TWILIO_MESSAGING_SERVICE_SID: '', TWILIO_FROM: '+33700000001' });
    await sms.send({ to: NUMBER, body: BODY });
    expect(standIn.messages.at(-1)).toMatchObject({ to: NUMBER, from: '+33700000001', messagingServiceSid: undefined });
  });

  it('sends from an alphanumeric sender ID', async () => {
    const { sms } = sender({ TWILIO_MESSAGING_SERVICE_SID: '', TWILIO_FROM: 'Sesame' });
    await sms.send({ to: NUMBER, body: BODY });
    expect(standIn.messages.at(-1)).toMatchObject({ from: 'Sesame' });
  });

  const refusals: [string, SmsFailureKind, Misbehaviour, number][] = [
    ['21211 invalid number', 'invalid_number', { error: 21211 }, 21211],
    ['21614 not a mobile number', 'invalid_number', { error: 21614 }, 21614],
    ['21610 unsubscribed (STOP)', 'unsubscribed', { error: 21610 }, 21610],
    ['21408 region not enabled', 'region_not_enabled', { error: 21408 }, 21408],
  ];

  it.each(refusals)('%s → %s, one warning line, nothing retried', async (_name, kind, misbehaviour, code) => {
    const { sms, lines, raw } = sender();
    const requests = standIn.requests;
    standIn.misbehave(misbehaviour);
    const error = await failure(sms);
    expect(error.kind).toBe(kind);
    expect(error.detail).toBe(`twilio ${code} (HTTP 400)`);
    expect(standIn.requests - requests).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'sms not sent', channel: 'sms', kind, twilioCode: code, httpStatus: 400, to: '+33 6 ** ** ** 78' }),
    ]);
    // Twilio's own message quotes the number: it must not leak through the error or the log.
    expectNothingSecret(raw, error);
  });

  it('refuses a malformed number without asking Twilio', async () => {
    const { sms, lines } = sender();
    const requests = standIn.requests;
    for (const to of ['', '0612345678', '+33 6 12 34 56 78', '+33612345678\r\n', '+0612345678', `+33${'6'.repeat(5000)}`, '<b>+33612345678</b>']) {
      await expect(sms.send({ to, body: BODY })).rejects.toMatchObject({ name: 'SmsError', kind: 'invalid_number' });
    }
    expect(standIn.requests).toBe(requests);
    expect(lines).toHaveLength(7);
    expect(lines.every((l) => l.msg === 'sms not sent' && l.kind === 'invalid_number')).toBe(true);
  });

  it('20429 is retried with backoff, and the SMS goes out once Twilio accepts it', async () => {
    const { sms, lines } = sender({}, 'debug');
    const requests = standIn.requests;
    standIn.misbehave({ error: 20429 }, { error: 20429 });
    const receipt = await sms.send({ to: NUMBER, body: BODY });
    expect(standIn.requests - requests).toBe(3);
    expect(standIn.messages.filter((m) => m.sid === receipt.id)).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'sms rate limited, retrying').map((l) => l.tries)).toEqual([1, 2]);
    expect(lines.at(-1)).toMatchObject({ msg: 'sms sent', tries: 3 });
  });

  it('20429 that does not let up → rate_limited after SMS_RETRY_MAX retries', async () => {
    const { sms, lines, raw } = sender({ SMS_RETRY_MAX: '2' });
    const requests = standIn.requests;
    standIn.misbehave({ error: 20429 }, { error: 20429 }, { error: 20429 }, { error: 20429 });
    const error = await failure(sms);
    expect(error.kind).toBe('rate_limited');
    expect(standIn.requests - requests).toBe(3);
    expect(lines).toEqual([expect.objectContaining({ msg: 'sms not sent', kind: 'rate_limited', twilioCode: 20429, httpStatus: 429, tries: 3 })]);
    expectNothingSecret(raw, error);
  });

  it('bounds the total wait: no retry once the backoff would exceed SMS_RETRY_MAX_TOTAL_MS', async () => {
    const { sms, waits } = sender({ SMS_RETRY_MAX: '5', SMS_RETRY_BASE_MS: '400', SMS_RETRY_MAX_TOTAL_MS: '150' });
    const requests = standIn.requests;
    standIn.misbehave({ error: 20429 });
    const error = await failure(sms);
    expect(error.kind).toBe('rate_limited');
    expect(standIn.requests - requests).toBe(1);
    expect(waits).toEqual([]);
  });

  const outages: [string, Misbehaviour, string][] = [
    ['a 500', { status: 500 }, 'twilio 20500 (HTTP 500)'],
    ['a 503', { status: 503 }, 'twilio 20500 (HTTP 503)'],
    ['a dropped connection', 'close', 'network ECONNRESET'],
    ['no answer at all', 'hang', 'network ECONNABORTED'],
  ];

  it.each(outages)('%s → unavailable, not retried (it may have been sent), one error line', async (_name, misbehaviour, detail) => {
    // A hung request ends with the HTTP client's own timeout, short here, well before our guard's.
    const { sms, lines, raw, waits } = sender({}, undefined, misbehaviour === 'hang' ? 300 : 10000);
    const requests = standIn.requests;
    standIn.misbehave(misbehaviour);
    const error = await failure(sms);
    expect(error.kind).toBe('unavailable');
    expect(error.detail).toBe(detail);
    expect(standIn.requests - requests).toBe(1);
    expect(waits).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ level: 50, msg: 'sms not sent', kind: 'unavailable', to: '+33 6 ** ** ** 78' })]);
    expectNothingSecret(raw, error);
  });

  it('bounds a hung request even when the HTTP client would wait much longer (TWILIO_TIMEOUT_MS + 1 s)', async () => {
    const log = capturingLogger();
    const sms = createSmsSender(config({ TWILIO_TIMEOUT_MS: '200' }), log.logger, { httpClient: standIn.httpClient({ timeout: 30000 }) });
    standIn.misbehave('hang');
    // «TIMEOUT» is our own guard's verdict: the library's 30 s client would have ended with ECONNABORTED instead.
    const error = await failure(sms);
    expect(error).toMatchObject({ kind: 'unavailable', detail: 'network TIMEOUT' });
  });

  it('Twilio unreachable → unavailable', async () => {
    const log = capturingLogger();
    const closed = await startTwilioStandIn();
    const httpClient = closed.httpClient({ timeout: 10000 });
    await closed.close();
    const sms = createSmsSender(config(), log.logger, { httpClient });
    const error = await failure(sms);
    expect(error.kind).toBe('unavailable');
    expect(error.detail).toBe('network ECONNREFUSED');
  });

  it('a wrong auth token (Twilio 20003) → unavailable, logged as an error for the operator', async () => {
    const { sms, lines } = sender({ TWILIO_AUTH_TOKEN: 'not-the-right-token-000000000000' });
    const error = await failure(sms);
    expect(error.kind).toBe('unavailable');
    expect(error.detail).toBe('twilio 20003 (HTTP 401)');
    expect(lines[0]).toMatchObject({ level: 50, twilioCode: 20003, httpStatus: 401 });
  });

  it('credentials of another account (Twilio 20003) → unavailable', async () => {
    const other = `AC${'0'.repeat(32)}`;
    expect(other).not.toBe(STAND_IN_ACCOUNT_SID);
    const { sms } = sender({ TWILIO_ACCOUNT_SID: other });
    const error = await failure(sms);
    expect(error.kind).toBe('unavailable');
  });
});
