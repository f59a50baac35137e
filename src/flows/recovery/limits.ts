// Recovery's limits, shared with the journeys that send the same things: the SMS rules and budget are the
// activation's (one number, one budget, whichever journey spends it), the mail rules the first connection's.
import type { Rule } from '../../limits/limiter.js';

export interface RecoveryLimitSettings {
  perIdentifiantHour: number;
  smsPerNumberHour: number;
  smsPerNumberDay: number;
  smsPerAddressHour: number;
  smsDailyBudget: number;
  mailPerAccountHour: number;
  mailPerRecipientHour: number;
  mailPerAddressHour: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

export function recoveryRules(s: RecoveryLimitSettings) {
  return {
    /** Requests per identifiant (or per name and contact, «Identifiant oublié»), known or not. */
    identifiant: { name: 'recovery:identifiant', points: s.perIdentifiantHour, windowSeconds: HOUR },
    /** Requests per client address, whatever they send. */
    address: { name: 'recovery:address', points: Math.max(s.smsPerAddressHour, s.mailPerAddressHour), windowSeconds: HOUR },
    account: { name: 'recovery:account', points: s.perIdentifiantHour, windowSeconds: HOUR },
    /**
     * «Identifiant oublié» per typed number or address, known or not: counters of their own, so that a stranger
     * typing a parent's number spends nothing of the limits that carry the parent's own codes (sms:number:*, mail:*).
     */
    typedNumber: { name: 'recovery:typed-number', points: s.perIdentifiantHour, windowSeconds: HOUR },
    typedRecipient: { name: 'recovery:typed-recipient', points: s.perIdentifiantHour, windowSeconds: HOUR },
    numberHour: { name: 'sms:number:hour', points: s.smsPerNumberHour, windowSeconds: HOUR },
    numberDay: { name: 'sms:number:day', points: s.smsPerNumberDay, windowSeconds: DAY },
    budget: { name: 'sms:budget', points: s.smsDailyBudget, windowSeconds: DAY },
    mailAccount: { name: 'mail:account', points: s.mailPerAccountHour, windowSeconds: HOUR },
    mailRecipient: { name: 'mail:recipient', points: s.mailPerRecipientHour, windowSeconds: HOUR },
  } satisfies Record<string, Rule>;
}
