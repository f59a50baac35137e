// The federation journey as a small pure state machine: after the upstream sign-in, either signed in at once (a
// linked identity) or the children's birth dates to confirm (a matched guardian), then signed in or ended. No I/O.
import { birthdateTry } from '../common/children.js';

export type Step = 'children' | 'signed_in' | 'finished' | 'ended';

export type EndReason = 'birthdates' | 'no_children' | 'disabled' | 'other_identity';

export interface FederationState {
  step: Step;
  /** The sign-in this journey started from: the only one it may finish. */
  interactionUid: string;
  clientName: string | null;
  /** The upstream identity to link once confirmed (issuer and sub only: no names, no birth date). */
  issuer: string;
  sub: string;
  guardianIds: string[];
  childIds: string[];
  birthdateFailures: number;
  accountId: string | null;
  endReason: EndReason | null;
}

export type FederationStart = Pick<FederationState, 'interactionUid' | 'clientName' | 'issuer' | 'sub'>;

/** An identity already linked: nothing to ask. */
export function linkedFlow(start: FederationStart, accountId: string): FederationState {
  return { ...start, step: 'signed_in', guardianIds: [], childIds: [], birthdateFailures: 0, accountId, endReason: null };
}

/** A guardian matched by name: their children's birth dates to confirm (none: the journey ends). */
export function matchedFlow(start: FederationStart, guardianIds: string[], childIds: string[]): FederationState {
  const base = { ...start, guardianIds, childIds, birthdateFailures: 0, accountId: null };
  if (childIds.length === 0) return { ...base, step: 'ended', endReason: 'no_children' };
  return { ...base, step: 'children', endReason: null };
}

export type BirthdatesOutcome =
  | { kind: 'confirmed'; state: FederationState }
  | { kind: 'wrong'; state: FederationState; triesLeft: number }
  | { kind: 'ended'; state: FederationState };

/** The same tries as activation (ACTIVATION_BIRTHDATE_MAX_TRIES); a confirmation still has to link the account. */
export function applyBirthdates(state: FederationState, allMatch: boolean, maxTries: number): BirthdatesOutcome {
  const verdict = birthdateTry(state.birthdateFailures, allMatch, maxTries);
  if (verdict.kind === 'confirmed') return { kind: 'confirmed', state };
  if (verdict.kind === 'ended') return { kind: 'ended', state: ended({ ...state, birthdateFailures: verdict.failures }, 'birthdates') };
  return { kind: 'wrong', state: { ...state, birthdateFailures: verdict.failures }, triesLeft: verdict.triesLeft };
}

export const ended = (state: FederationState, reason: EndReason): FederationState => ({ ...state, step: 'ended', endReason: reason });

export const signedIn = (state: FederationState, accountId: string): FederationState => ({ ...state, step: 'signed_in', accountId });

/** The sign-in was handed back: the flow cannot finish another one. */
export const finished = (state: FederationState): FederationState => ({ ...state, step: 'finished' });
