// The activation flow as a small pure state machine: which step the parent is on, and what each answer does to
// the code's counters, the birth-date tries and the end of the flow. No I/O here: activation.ts does that.
import type { SmsFailureKind } from '../../messaging/sms-sender.js';
import { birthdateTry } from '../common/children.js';

export type Step = 'code' | 'children' | 'password' | 'done' | 'ended';

/** What the SMS of step 2 carried: a code, a reminder of the identifiant (already active), or nothing (no match). */
export type Delivery = 'code' | 'reminder' | 'none';

export type EndReason = 'code_failures' | 'birthdates' | 'no_children' | 'already_active';

/** What became of the latest SMS (`send` = its number in the flow): it leaves after the answer, from a queue. */
export interface SmsDelivery {
  send: number;
  status: 'pending' | 'sent' | 'failed';
  failure: SmsFailureKind | null;
}

export interface FlowState {
  step: Step;
  /** The OpenID Connect sign-in this flow started from, checked again against the browser's cookies at the end. */
  interactionUid: string | null;
  clientName: string | null;
  /** As typed (for the password rules) and the number in E.164 (for limits and resending). */
  familyName: string;
  givenName: string;
  mobile: string;
  /** Guardians that matched; empty when nothing matched (the parent sees the same pages). */
  guardianIds: string[];
  delivery: Delivery;
  codeHash: string | null;
  codeExpiresAt: number | null;
  lastSentAt: number;
  codesSent: number;
  codeFailures: number;
  /** Children to confirm, in the order shown (fields birthdate_1…n). */
  childIds: string[];
  birthdateFailures: number;
  accountId: string | null;
  identifiant: string | null;
  endReason: EndReason | null;
  /** Null when nothing was sent (no match); absent in flows stored before the SMS queue. */
  sms?: SmsDelivery | null;
}

export interface FlowRules {
  codeTtlSeconds: number;
  codeMaxFailures: number;
  maxCodes: number;
  resendAfterSeconds: number;
  birthdateMaxTries: number;
}

/** What step 1 establishes; everything else starts at zero. */
export type FlowStart = Pick<FlowState, 'interactionUid' | 'clientName' | 'familyName' | 'givenName' | 'mobile' | 'guardianIds' | 'delivery'>;

export function newFlow(input: FlowStart): FlowState {
  return {
    step: 'code',
    ...input,
    codeHash: null,
    codeExpiresAt: null,
    lastSentAt: 0,
    codesSent: 0,
    codeFailures: 0,
    childIds: [],
    birthdateFailures: 0,
    accountId: null,
    identifiant: null,
    endReason: null,
    sms: null,
  };
}

/** Records one more SMS (a code, a reminder, or the silent nothing of an unknown number). */
export function codeIssued(state: FlowState, codeHash: string | null, now: number, rules: FlowRules): FlowState {
  return {
    ...state,
    codeHash,
    // Every delivery gets a deadline, the silent miss too: the code page then expires at the same moment for a
    // stranger and for a parent, and says so the same way.
    codeExpiresAt: now + rules.codeTtlSeconds * 1000,
    lastSentAt: now,
    codesSent: state.codesSent + 1,
    // A miss gets a delivery record too, so what the code page can say about delivery is the same for both.
    sms: { send: state.codesSent + 1, status: 'pending', failure: null },
  };
}

/**
 * Whether the latest SMS's code is past its time (whatever was sent). Flows stored before every delivery had a
 * deadline fall back to the time of the last SMS.
 */
export function codeExpired(state: FlowState, now: number, rules: FlowRules): boolean {
  if (state.step !== 'code' || state.codesSent === 0) return false;
  return now >= (state.codeExpiresAt ?? state.lastSentAt + rules.codeTtlSeconds * 1000);
}

/** Records whether SMS number `send` left; an outcome arriving after a newer SMS was asked for changes nothing. */
export function smsReported(state: FlowState, send: number, failure: SmsFailureKind | null): FlowState {
  if (!state.sms || state.sms.send !== send) return state;
  return { ...state, sms: { send, status: failure ? 'failed' : 'sent', failure } };
}

export type ResendVerdict = { ok: true } | { ok: false; reason: 'too_soon'; waitSeconds: number } | { ok: false; reason: 'too_many' };

export function canResend(state: FlowState, now: number, rules: FlowRules): ResendVerdict {
  if (state.codesSent >= rules.maxCodes) return { ok: false, reason: 'too_many' };
  const wait = Math.ceil((state.lastSentAt + rules.resendAfterSeconds * 1000 - now) / 1000);
  if (wait > 0) return { ok: false, reason: 'too_soon', waitSeconds: wait };
  return { ok: true };
}

export type CodeOutcome =
  | { kind: 'accepted'; state: FlowState }
  | { kind: 'expired'; state: FlowState }
  | { kind: 'wrong'; state: FlowState; triesLeft: number }
  | { kind: 'ended'; state: FlowState };

/**
 * Applies a typed code. `matches` says whether it equals the current code (always false when none was sent).
 * Once the code's time has passed, a typed code is not compared at all and costs no try: the parent is told to ask
 * for a new one. Nothing is learnt from it either (no comparison, the same answer for every value), so waiting
 * gives no free guess; guesses at a live code each cost one.
 */
export function applyCode(state: FlowState, matches: boolean, now: number, rules: FlowRules): CodeOutcome {
  if (codeExpired(state, now, rules)) return { kind: 'expired', state };
  if (matches && state.codeHash !== null) {
    return { kind: 'accepted', state: { ...state, step: 'children', codeHash: null, codeExpiresAt: null } };
  }
  const failures = state.codeFailures + 1;
  if (failures >= rules.codeMaxFailures) {
    return { kind: 'ended', state: { ...state, step: 'ended', endReason: 'code_failures', codeHash: null, codeFailures: failures } };
  }
  return { kind: 'wrong', state: { ...state, codeFailures: failures }, triesLeft: rules.codeMaxFailures - failures };
}

/** After the code: the children to confirm, or the end when the school lists none for this parent. */
export function childrenFound(state: FlowState, childIds: string[]): FlowState {
  if (childIds.length === 0) return { ...state, step: 'ended', endReason: 'no_children' };
  return { ...state, childIds };
}

export type BirthdatesOutcome =
  | { kind: 'confirmed'; state: FlowState }
  | { kind: 'wrong'; state: FlowState; triesLeft: number }
  | { kind: 'ended'; state: FlowState };

export function applyBirthdates(state: FlowState, allMatch: boolean, rules: FlowRules): BirthdatesOutcome {
  const verdict = birthdateTry(state.birthdateFailures, allMatch, rules.birthdateMaxTries);
  if (verdict.kind === 'confirmed') return { kind: 'confirmed', state: { ...state, step: 'password' } };
  if (verdict.kind === 'ended') {
    return { kind: 'ended', state: { ...state, step: 'ended', endReason: 'birthdates', birthdateFailures: verdict.failures } };
  }
  return { kind: 'wrong', state: { ...state, birthdateFailures: verdict.failures }, triesLeft: verdict.triesLeft };
}

export function activated(state: FlowState, account: { id: string; identifiant: string }, alreadyActive: boolean): FlowState {
  return {
    ...state,
    step: alreadyActive ? 'ended' : 'done',
    endReason: alreadyActive ? 'already_active' : null,
    accountId: account.id,
    identifiant: account.identifiant,
  };
}
