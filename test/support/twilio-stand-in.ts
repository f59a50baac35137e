// A stand-in for Twilio's Messages API on 127.0.0.1: real HTTP, the account path, Basic auth and form fields checked
// like Twilio does, Twilio's JSON error shape, and errors on demand. The real `twilio` library reaches it through
// `standIn.httpClient()`, a RequestClient that rewrites https://api.twilio.com to the stand-in's address.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import { loadConfig } from '../../src/config.js';
import type { SmsSender } from '../../src/messaging/sms-sender.js';
import { createSmsSender } from '../../src/messaging/sms-transport.js';

export const STAND_IN_ACCOUNT_SID = `AC${'1a2b3c4d'.repeat(4)}`;
export const STAND_IN_AUTH_TOKEN = 'stand-in-auth-token-0123456789ab';
export const STAND_IN_SERVICE_SID = `MG${'9f8e7d6c'.repeat(4)}`;

/** The environment a Sésame (or a Config) needs to send through the stand-in. */
export const STAND_IN_ENV = {
  SMS_TRANSPORT: 'twilio',
  TWILIO_ACCOUNT_SID: STAND_IN_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: STAND_IN_AUTH_TOKEN,
  TWILIO_MESSAGING_SERVICE_SID: STAND_IN_SERVICE_SID,
} as const;

export interface ReceivedSms {
  sid: string;
  to: string;
  body: string;
  from: string | undefined;
  messagingServiceSid: string | undefined;
}

/** What the stand-in does with one request instead of accepting it. */
export type Misbehaviour =
  | { error: 21211 | 21614 | 21610 | 21408 | 20429 } // Twilio's answer for that code
  | { status: 500 | 502 | 503 } // an upstream failure
  | 'hang' // never answers (the client must time out)
  | 'hold' // answers (accepting) only once `release()` is called
  | 'close'; // drops the connection without answering

// Twilio's messages quote the number, which is why nothing of them may reach our logs.
const TWILIO_ERRORS: Record<number, { status: number; message: (to: string) => string }> = {
  21211: { status: 400, message: (to) => `Invalid 'To' Phone Number: ${to}` },
  21614: { status: 400, message: (to) => `'To' number ${to} is not a valid mobile number` },
  21610: { status: 400, message: () => 'Attempt to send to unsubscribed recipient' },
  21408: { status: 400, message: (to) => `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.` },
  20429: { status: 429, message: () => 'Too Many Requests' },
};

export interface TwilioStandIn {
  /** http://127.0.0.1:port */
  url: string;
  /** Messages accepted, in order. */
  messages: ReceivedSms[];
  /** Every request that reached the Messages endpoint, accepted or not. */
  requests: number;
  /** The next requests get these answers, one each, then the stand-in accepts again. */
  misbehave(...plan: Misbehaviour[]): void;
  /** Forgets what is left of the plan: every request is accepted again. */
  behave(): void;
  /** Requests received and held ('hold'), not answered yet. */
  held: number;
  /** Resolves when a request is being held (at once if one already is). */
  holding(): Promise<void>;
  /** Lets every held request go on (accepted). */
  release(): void;
  /** Requests wait, unanswered, until `resume` (then each gets its plan): a test sees a page before Twilio answers. */
  pause(): void;
  resume(): void;
  /** A twilio RequestClient that sends https://api.twilio.com/... here. */
  httpClient(options?: { timeout?: number }): twilio.RequestClient;
  /** The real Twilio transport pointed here (e.g. for createSesame's `sms` option); `env` overrides settings. */
  sender(logger: Logger, env?: Record<string, string>): SmsSender;
  close(): Promise<void>;
}

function twilioError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startTwilioStandIn(
  credentials: { accountSid: string; authToken: string } = { accountSid: STAND_IN_ACCOUNT_SID, authToken: STAND_IN_AUTH_TOKEN },
): Promise<TwilioStandIn> {
  const plan: Misbehaviour[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const state = { messages: [] as ReceivedSms[], requests: 0 };
  let held: (() => void)[] = [];
  let onHold: (() => void)[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match || req.method !== 'POST') return twilioError(res, 404, 20404, 'The requested resource was not found');
    if (req.headers.authorization !== expectedAuth) return twilioError(res, 401, 20003, 'Authenticate');
    if (match[1] !== credentials.accountSid) return twilioError(res, 404, 20404, 'The requested resource was not found');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return twilioError(res, 400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(await readBody(req));
    state.requests += 1;
    const to = form.get('To') ?? '';
    const body = form.get('Body') ?? '';
    const from = form.get('From') ?? undefined;
    const messagingServiceSid = form.get('MessagingServiceSid') ?? undefined;
    if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!body) return twilioError(res, 400, 21602, 'Message body is required.');
    if (!from && !messagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");

    if (gate) await gate.promise;
    const next = plan.shift();
    if (next === 'hang') return; // the socket stays open, nothing is written
    if (next === 'hold') {
      await new Promise<void>((resolve) => {
        held.push(resolve);
        for (const notify of onHold.splice(0)) notify();
      });
    }
    if (next === 'close') {
      req.socket.destroy();
      return;
    }
    if (next && next !== 'hold' && 'status' in next) return twilioError(res, next.status, 20500, 'Internal Server Error');
    if (next && next !== 'hold') {
      const known = TWILIO_ERRORS[next.error]!;
      return twilioError(res, known.status, next.error, known.message(to));
    }

    const sid = `SM${randomBytes(16).toString('hex')}`;
    state.messages.push({ sid, to, body, from, messagingServiceSid });
    const now = new Date().toUTCString();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        sid,
        account_sid: credentials.accountSid,
        messaging_service_sid: messagingServiceSid ?? null,
        from: from ?? null,
        to,
        body,
        status: 'queued',
        direction: 'outbound-api',
        num_segments: '1',
        num_media: '0',
        price: null,
        price_unit: 'USD',
        api_version: '2010-04-01',
        date_created: now,
        date_updated: now,
        date_sent: null,
        error_code: null,
        error_message: null,
        uri: `/2010-04-01/Accounts/${credentials.accountSid}/Messages/${sid}.json`,
        subresource_uris: { media: `/2010-04-01/Accounts/${credentials.accountSid}/Messages/${sid}/Media.json` },
      }),
    );
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) twilioError(res, 500, 20500, 'Internal Server Error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  class StandInRequestClient extends twilio.RequestClient {
    override request<TData>(opts: TwilioRequestClient.RequestOptions<TData>) {
      return super.request({ ...opts, uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, url) });
    }
  }

  const httpClient = (options: { timeout?: number } = {}) =>
    new StandInRequestClient({ timeout: options.timeout ?? 5000, keepAlive: false });

  return {
    url,
    get messages() {
      return state.messages;
    },
    get requests() {
      return state.requests;
    },
    misbehave(...steps) {
      plan.push(...steps);
    },
    behave() {
      plan.length = 0;
    },
    get held() {
      return held.length;
    },
    holding() {
      return held.length > 0 ? Promise.resolve() : new Promise((resolve) => onHold.push(resolve));
    },
    release() {
      const waiting = held;
      held = [];
      for (const go of waiting) go();
    },
    pause() {
      if (gate) return;
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    resume() {
      gate?.open();
      gate = undefined;
    },
    httpClient,
    sender(logger, env = {}) {
      const config = loadConfig({ NODE_ENV: 'test', ...STAND_IN_ENV, SMS_RETRY_BASE_MS: '20', ...env });
      return createSmsSender(config, logger, { httpClient: httpClient({ timeout: config.sms.timeoutMs }) });
    },
    close() {
      gate?.open();
      gate = undefined;
      for (const go of held.splice(0)) go();
      onHold = [];
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
