// The structured logger. Secrets never reach it: known secret fields are redacted, and phone numbers are logged
// masked (maskPhone) by the code that logs them.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'sesame' },
    redact: {
      paths: [
        'password', '*.password', 'code', '*.code', 'token', '*.token', 'client_secret', '*.client_secret',
        'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  });
}

/** `+33612345678` → `+33 6 ** ** ** 78`: enough to tell numbers apart in a log, not enough to call one. */
export function maskPhone(e164: string | null | undefined): string {
  if (!e164) return '';
  const m = /^\+(33|262|590|594|596|269|687|689)(\d)(\d+)(\d{2})$/.exec(e164);
  if (m) return `+${m[1]} ${m[2]} ** ** ** ${m[4]}`;
  return `${e164.slice(0, 3)}…${e164.slice(-2)}`;
}
