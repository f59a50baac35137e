// The first connection with a school letter as a small pure state machine: new password, email, identity, then
// done (or ended). No I/O here: first-connection.ts does that. A «reminder» flow is the done page alone, for an
// account whose email link is still unopened when it signs in.

import type { AccountKind } from '../../store/schema.js';

export type Step = 'password' | 'email' | 'identity' | 'done' | 'ended';

export type EndReason = 'birthdates' | 'no_birthdate' | 'letter_used';

/** What became of the last activation mail: sent, failed (the person may ask again), or none to send. */
export type MailStatus = 'sent' | 'failed' | 'none';

export interface FlowState {
  step: Step;
  purpose: 'journey' | 'reminder';
  /** The OpenID Connect sign-in this flow started from, checked again against the browser's cookies at the end. */
  interactionUid: string | null;
  clientName: string | null;
  accountId: string;
  kind: AccountKind;
  identifiant: string;
  /** The provisional password's hash when the journey began: a letter serves one first connection only. */
  letterHash: string | null;
  /** The new password, hashed (argon2id) at step 1 and written to the account only when the journey completes. */
  passwordHash: string | null;
  /** The address given at step 2; null when a pupil skipped it (optional for pupils). */
  email: string | null;
  emailDone: boolean;
  /** Children to confirm for a parent, in the order shown (fields birthdate_1…n); empty for a pupil. */
  childIds: string[];
  birthdateFailures: number;
  mail: MailStatus;
  endReason: EndReason | null;
}

export interface FlowRules {
  birthdateMaxTries: number;
}

export type JourneyStart = Pick<FlowState, 'interactionUid' | 'clientName' | 'accountId' | 'kind' | 'identifiant' | 'letterHash'>;

const blank = {
  passwordHash: null,
  email: null,
  emailDone: false,
  childIds: [],
  birthdateFailures: 0,
  mail: 'none',
  endReason: null,
} satisfies Partial<FlowState>;

export function newJourney(start: JourneyStart): FlowState {
  return { step: 'password', purpose: 'journey', ...start, ...blank };
}

/** For an account *en cours d'activation* signing in: the reminder (resend, correct the address, continue). */
export function newReminder(start: Omit<JourneyStart, 'letterHash'> & { email: string | null }): FlowState {
  return { step: 'done', purpose: 'reminder', ...start, letterHash: null, ...blank, email: start.email, emailDone: true, mail: 'sent' };
}

export function passwordChosen(state: FlowState, passwordHash: string): FlowState {
  return { ...state, step: 'email', passwordHash };
}

/** `email` null: skipped (only where optional). The identity step follows, with the children to confirm. */
export function emailChosen(state: FlowState, email: string | null, childIds: string[]): FlowState {
  return { ...state, step: 'identity', email, emailDone: true, childIds };
}

export type IdentityOutcome =
  | { kind: 'confirmed'; state: FlowState }
  | { kind: 'wrong'; state: FlowState; triesLeft: number }
  | { kind: 'ended'; state: FlowState };

export function applyIdentity(state: FlowState, allMatch: boolean, rules: FlowRules): IdentityOutcome {
  if (allMatch) return { kind: 'confirmed', state: { ...state, step: 'done' } };
  const failures = state.birthdateFailures + 1;
  if (failures >= rules.birthdateMaxTries) {
    return { kind: 'ended', state: ended({ ...state, birthdateFailures: failures }, 'birthdates') };
  }
  return { kind: 'wrong', state: { ...state, birthdateFailures: failures }, triesLeft: rules.birthdateMaxTries - failures };
}

/** Ends the journey; the new password it held is forgotten. */
export function ended(state: FlowState, reason: EndReason): FlowState {
  return { ...state, step: 'ended', endReason: reason, passwordHash: null };
}

/** Once the account is written: the password hash has no reason to stay in the flow. */
export function completed(state: FlowState, mail: MailStatus): FlowState {
  return { ...state, step: 'done', passwordHash: null, mail };
}

export function mailed(state: FlowState, mail: MailStatus, email?: string): FlowState {
  return { ...state, mail, ...(email !== undefined ? { email } : {}) };
}
