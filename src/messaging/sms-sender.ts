// What the rest of Sésame knows about sending an SMS: one message to one E.164 number, and a typed failure
// whose kind decides what the person is told. Transports (Twilio, outbox) live beside this file.

export interface SmsMessage {
  /** E.164, e.g. +33612345678. */
  to: string;
  body: string;
}

export interface SmsReceipt {
  id: string;
}

export interface SmsSender {
  send(message: SmsMessage): Promise<SmsReceipt>;
}

export type SmsFailureKind =
  | 'invalid_number' // Twilio 21211, 21614: not a valid or not a mobile number
  | 'unsubscribed' // 21610: the recipient replied STOP
  | 'region_not_enabled' // 21408: sending to this country is not enabled
  | 'rate_limited' // 20429: still refused after retries with backoff
  | 'unavailable'; // network failure, timeout, 5xx, anything else

export class SmsError extends Error {
  constructor(
    readonly kind: SmsFailureKind,
    /** For logs: never the full number, never the message body. */
    readonly detail: string,
  ) {
    super(`sms ${kind}: ${detail}`);
    this.name = 'SmsError';
  }
}

/** E.164 as the transports take it: `+`, a country code, 7 to 15 digits in all, nothing else. */
export function isE164(value: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(value);
}
