// «Mot de passe oublié» as a small pure state machine: the code step (a code sent, a link sent, or nothing — the
// page is the same), the password step once a code or a link proved the channel, then done. No I/O here.

export type Step = 'code' | 'password' | 'done' | 'ended';

/** What the latest request sent: a code by SMS, a link by mail, or nothing (no account, no channel, a silent limit). */
export type Sent = 'sms' | 'mail' | 'none';

export interface FlowState {
  step: Step;
  /** The sign-in this recovery started from (checked again against the browser's cookie at the end). */
  interactionUid: string | null;
  clientName: string | null;
  /** The identifiant as typed, lower-cased: the key of the per-identifiant limit, known or not. */
  identifiant: string;
  /** The account the identifiant designates when it can be recovered; null otherwise (the pages are the same). */
  accountId: string | null;
  sent: Sent;
  codeHash: string | null;
  codeExpiresAt: number | null;
  lastSentAt: number;
  /** Codes and links asked for in this flow (the first included). */
  sendsCount: number;
  codeFailures: number;
  endReason: 'code_failures' | null;
  /** Opened by a mailed link rather than by a code (what the sign-in's `amr` says at the end). */
  openedByLink?: true;
}

export interface FlowRules {
  codeTtlSeconds: number;
  codeMaxFailures: number;
  /** Codes or links one flow may ask for. */
  maxCodes: number;
  resendAfterSeconds: number;
}

export type FlowStart = Pick<FlowState, 'interactionUid' | 'clientName' | 'identifiant' | 'accountId'>;

export function newFlow(input: FlowStart): FlowState {
  return { step: 'code', ...input, sent: 'none', codeHash: null, codeExpiresAt: null, lastSentAt: 0, sendsCount: 0, codeFailures: 0, endReason: null };
}

/** A flow opened by a mail link: the channel is proven, the password comes next. */
export function linkOpened(input: FlowStart & { accountId: string }): FlowState {
  return { ...newFlow(input), step: 'password', openedByLink: true };
}

/**
 * Records one more request. A code replaces the previous one; a link or nothing leaves the current code as it was
 * (a code already received still works when the person also asks for a link).
 */
export function sendRecorded(state: FlowState, sent: Sent, codeHash: string | null, now: number, rules: FlowRules): FlowState {
  const code = sent === 'sms' && codeHash ? { codeHash, codeExpiresAt: now + rules.codeTtlSeconds * 1000 } : {};
  return { ...state, ...code, sent, lastSentAt: now, sendsCount: state.sendsCount + 1 };
}

export type ResendVerdict = { ok: true } | { ok: false; reason: 'too_soon'; waitSeconds: number } | { ok: false; reason: 'too_many' };

export function canResend(state: FlowState, now: number, rules: FlowRules): ResendVerdict {
  if (state.sendsCount >= rules.maxCodes) return { ok: false, reason: 'too_many' };
  const wait = Math.ceil((state.lastSentAt + rules.resendAfterSeconds * 1000 - now) / 1000);
  return wait > 0 ? { ok: false, reason: 'too_soon', waitSeconds: wait } : { ok: true };
}

export type CodeOutcome =
  | { kind: 'accepted'; state: FlowState }
  | { kind: 'expired'; state: FlowState; triesLeft: number }
  | { kind: 'wrong'; state: FlowState; triesLeft: number }
  | { kind: 'ended'; state: FlowState };

/**
 * Applies a typed code (`matches`: equal to the current one; always false when none was sent). An expired code
 * counts as a try, so waiting gives no free guesses; a flow with no account spends its tries the same way.
 */
export function applyCode(state: FlowState, matches: boolean, now: number, rules: FlowRules): CodeOutcome {
  const live = state.codeExpiresAt !== null && now < state.codeExpiresAt;
  if (matches && live && state.accountId) return { kind: 'accepted', state: { ...state, step: 'password', codeHash: null, codeExpiresAt: null } };
  const failures = state.codeFailures + 1;
  if (failures >= rules.codeMaxFailures) {
    return { kind: 'ended', state: { ...state, step: 'ended', endReason: 'code_failures', codeHash: null, codeExpiresAt: null, codeFailures: failures } };
  }
  const next = { ...state, codeFailures: failures };
  const triesLeft = rules.codeMaxFailures - failures;
  if (matches) return { kind: 'expired', state: { ...next, codeHash: null, codeExpiresAt: null }, triesLeft };
  return { kind: 'wrong', state: next, triesLeft };
}

export const passwordChanged = (state: FlowState): FlowState => ({ ...state, step: 'done' });
