// Parent self-activation, step by step: match the school's guardian, send (or silently not send) the SMS under the
// limits, check the code and the children's birth dates, then activate one account. Knows nothing of HTTP.
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../clock.js';
import type { Accounts } from '../../accounts/accounts.js';
import { baseIdentifiant, type IdentifierStyle } from '../../accounts/identifiants.js';
import { checkPassword } from '../../accounts/password-policy.js';
import { hashPassword } from '../../accounts/passwords.js';
import { nameKey } from '../../directory/name-key.js';
import type { Limiter, Rule } from '../../limits/limiter.js';
import { maskPhone } from '../../logger.js';
import type { AuditTrail } from '../../audit/trail.js';
import type { SmsQueue } from '../../messaging/sms-queue.js';
import { accountExistsSms, activationCodeSms } from '../../messaging/sms-texts.js';
import type { Db } from '../../store/database.js';
import { wrongBirthdates } from '../common/children.js';
import { activateGuardian } from './account-activation.js';
import type { SmsFailureKind } from '../../messaging/sms-sender.js';
import type { Codes } from './codes.js';
import { childrenByIds, childrenOf, matchGuardians, type Child } from './directory-lookup.js';
import {
  activated, applyBirthdates, applyCode, canResend, childrenFound, codeExpired, codeIssued, newFlow, smsReported,
  type BirthdatesOutcome, type CodeOutcome, type Delivery, type FlowRules, type FlowState,
} from './flow.js';
import { newFlowId, type FlowStore } from './flow-store.js';
import type { IdentityInput } from './input.js';

export interface ActivationSettings extends FlowRules {
  smsPerNumberNameHour: number;
  smsPerNumberNameDay: number;
  smsPerNumberHour: number;
  smsPerNumberDay: number;
  smsPerAddressHour: number;
  smsDailyBudget: number;
}

export interface ActivationDeps {
  db: Db;
  accounts: Accounts;
  limiter: Limiter;
  /** SMS leave after the answer; the outcome is recorded in the flow and shown at the code step. */
  smsQueue: SmsQueue;
  codes: Codes;
  flows: FlowStore;
  settings: ActivationSettings;
  identifierStyle: IdentifierStyle;
  logger: Logger;
  /** Records the outcome: the account activated, or the flow ended by too many wrong answers. */
  audit?: AuditTrail;
  /** Whose time codes expire and resends wait by (tests move it instead of waiting). */
  clock?: Clock;
}

/** Why a step could not go on; the routes turn each into a French sentence. */
export type Refusal =
  | { kind: 'limited'; retryAfterSeconds: number; budget: boolean }
  | { kind: 'too_soon'; waitSeconds: number }
  | { kind: 'too_many_codes' };

const HOUR = 3600;
const DAY = 24 * HOUR;

export type Activation = ReturnType<typeof createActivation>;

export function createActivation(deps: ActivationDeps) {
  const { db, limiter, smsQueue, codes, flows, settings, logger } = deps;
  /** The final failures only: a flow ended by wrong codes or birth dates (a wrong try that leaves tries is not one). */
  function recordEnd<R extends { kind: string; state?: FlowState }>(result: R | undefined): R | undefined {
    if (result?.kind === 'ended' && result.state) {
      deps.audit?.record({ kind: 'activation.failed', outcome: 'failure', details: { reason: result.state.endReason ?? 'ended', mobile: result.state.mobile } });
    }
    return result;
  }
  const clock = deps.clock ?? systemClock;
  /** Records in the flow whether its SMS left (send number `send`); also when another instance sent it. */
  async function record(flowId: string, send: number, failure: SmsFailureKind | null, mobile: string): Promise<void> {
    await flows.update(flowId, async (current) => ({ state: smsReported(current, send, failure), result: undefined }));
    logger.info({ mobile: maskPhone(mobile), failure }, failure ? 'activation SMS failed' : 'activation SMS sent');
  }
  // The queue's jobs are data (they may wait in Redis for another instance): the outcome comes back by this name.
  smsQueue.handle('activation', async (outcome, payload, message) => {
    const { flowId, send } = payload as { flowId: string; send: number };
    await record(flowId, send, outcome.sent ? null : outcome.failure, message.to);
  });
  const rules = {
    numberNameHour: { name: 'sms:number-name:hour', points: settings.smsPerNumberNameHour, windowSeconds: HOUR },
    numberNameDay: { name: 'sms:number-name:day', points: settings.smsPerNumberNameDay, windowSeconds: DAY },
    numberHour: { name: 'sms:number:hour', points: settings.smsPerNumberHour, windowSeconds: HOUR },
    numberDay: { name: 'sms:number:day', points: settings.smsPerNumberDay, windowSeconds: DAY },
    address: { name: 'sms:address', points: settings.smsPerAddressHour, windowSeconds: HOUR },
    budget: { name: 'sms:budget', points: settings.smsDailyBudget, windowSeconds: DAY },
  } satisfies Record<string, Rule>;

  /**
   * Counts one SMS request against every limit. Unknown numbers count exactly like known ones, so being limited
   * says nothing about whether a number is in the directory; only the service-wide budget counts real SMS.
   */
  async function spend(mobile: string, names: string, address: string, delivery: Delivery): Promise<Refusal | undefined> {
    // Count first, then judge: each hit is one atomic upsert, so a burst of parallel requests cannot all pass a
    // check before any of them is counted (SMS bombing, cost). The tight limits are per number and name: a stranger
    // typing other names with a parent's number only reaches the larger cap on the number alone.
    const person = `${mobile}|${names}`;
    const checks: [Rule, string][] = [
      [rules.numberNameHour, person], [rules.numberNameDay, person], [rules.numberHour, mobile], [rules.numberDay, mobile], [rules.address, address],
    ];
    const counted = await Promise.all(checks.map(([r, k]) => limiter.hit(r, k)));
    const budget = delivery !== 'none' ? await limiter.hit(rules.budget, 'service') : await limiter.check(rules.budget, 'service');
    const verdicts = [...counted, budget];
    const blocked = verdicts.find((v) => !v.allowed);
    if (blocked) {
      logger.info({ mobile: maskPhone(mobile), budget: !budget.allowed }, 'activation SMS refused by a limit');
      return { kind: 'limited', retryAfterSeconds: blocked.retryAfterSeconds, budget: blocked === budget };
    }
    return undefined;
  }

  /**
   * Queues the SMS of `state` (its latest send) and returns at once; the queue records later whether it left. A full
   * queue is recorded as a failure straight away.
   */
  async function deliver(flowId: string, state: FlowState, code: string | null, reminderFor: string | null): Promise<void> {
    const minutes = Math.max(1, Math.round(settings.codeTtlSeconds / 60));
    const body = code ? activationCodeSms(code, minutes) : reminderFor ? accountExistsSms(reminderFor) : null;
    if (!state.sms) return;
    const send = state.sms.send;
    // Nothing to send (no match): a full queue is reported exactly as it would be for a match, so filling the queue
    // cannot tell a known number from an unknown one.
    if (!body) {
      if (!(await smsQueue.hasRoom())) await record(flowId, send, 'unavailable', state.mobile);
      return;
    }
    const queued = await smsQueue.enqueue({ message: { to: state.mobile, body }, outcome: { handler: 'activation', payload: { flowId, send } } });
    if (!queued) await record(flowId, send, 'unavailable', state.mobile);
  }

  /** The identifiant the reminder SMS gives, for a guardian whose account is already active. */
  async function reminderIdentifiant(guardianIds: string[]): Promise<string | null> {
    if (guardianIds.length === 0) return null;
    const rows = await db
      .selectFrom('guardians as g')
      .innerJoin('accounts as a', 'a.id', 'g.account_id')
      .select('a.identifiant')
      .where('g.id', 'in', guardianIds)
      .where('a.state', 'in', ['active', 'disabled'])
      .execute();
    return rows[0]?.identifiant ?? null;
  }

  return {
    settings,
    /** Whether the code of `state` is past its time now (the code page then leads with «Renvoyer le code»). */
    codeExpired: (state: FlowState) => codeExpired(state, clock.now(), settings),

    async load(flowId: string): Promise<FlowState | undefined> {
      return flows.load(flowId);
    },

    /** Step 1: the same work and the same answer whether or not the names and number match a guardian; the SMS leaves after. */
    async start(
      input: IdentityInput,
      context: { address: string; interactionUid: string | null; clientName: string | null },
    ): Promise<{ flowId: string } | Refusal> {
      const matched = await matchGuardians(db, nameKey(input.familyName, input.givenName), input.mobile);
      const delivery: Delivery =
        matched.length === 0 ? 'none' : matched.some((g) => g.accountState === 'active' || g.accountState === 'disabled') ? 'reminder' : 'code';
      const refused = await spend(input.mobile, nameKey(input.familyName, input.givenName), context.address, delivery);
      if (refused) return refused;
      const flowId = newFlowId();
      const code = codes.generate();
      const state = codeIssued(
        newFlow({ ...context, ...input, guardianIds: matched.map((g) => g.id), delivery }),
        delivery === 'code' ? codes.hash(flowId, code) : null,
        clock.now(),
        settings,
      );
      const reminder = delivery === 'reminder' ? matched.find((g) => g.accountState === 'active' || g.accountState === 'disabled')?.identifiant ?? null : null;
      await flows.create(flowId, state);
      await deliver(flowId, state, delivery === 'code' ? code : null, reminder);
      return { flowId };
    },

    /** «Renvoyer le code»: after the waiting time, within the codes allowed per flow and the same limits. */
    async resend(flowId: string, address: string): Promise<Refusal | 'sent' | 'gone'> {
      const refusalFor = (state: FlowState, now: number): Refusal | undefined => {
        const verdict = canResend(state, now, settings);
        if (verdict.ok) return undefined;
        return verdict.reason === 'too_soon' ? { kind: 'too_soon', waitSeconds: verdict.waitSeconds } : { kind: 'too_many_codes' };
      };
      const before = await flows.load(flowId);
      if (!before || before.step !== 'code') return 'gone';
      const early = refusalFor(before, clock.now());
      if (early) return early;
      const refused = await spend(before.mobile, nameKey(before.familyName, before.givenName), address, before.delivery);
      if (refused) return refused;
      const code = codes.generate();
      const reserved = await flows.update<Refusal | { kind: 'reserved'; state: FlowState } | undefined>(flowId, async (state) => {
        const now = clock.now();
        if (state.step !== 'code') return { state, result: undefined };
        const late = refusalFor(state, now);
        if (late) return { state, result: late };
        const next = codeIssued(state, state.delivery === 'code' ? codes.hash(flowId, code) : null, now, settings);
        return { state: next, result: { kind: 'reserved', state: next } };
      });
      if (reserved === undefined) return 'gone';
      if (reserved.kind !== 'reserved') return reserved;
      // The SMS leaves after the flow row is committed: no lock is held during a call to the SMS provider.
      const issued = reserved.state;
      const reminder = issued.delivery === 'reminder' ? await reminderIdentifiant(issued.guardianIds) : null;
      await deliver(flowId, issued, issued.delivery === 'code' ? code : null, reminder);
      return 'sent';
    },

    /** Step 2: the typed code, under the flow's lock so parallel guesses each spend a try. */
    async checkCode(flowId: string, code: string) {
      return recordEnd(await flows.update<CodeOutcome | { kind: 'out_of_step' }>(flowId, async (state, trx) => {
        if (state.step !== 'code') return { state, result: { kind: 'out_of_step' } };
        const outcome = applyCode(state, codes.matches(flowId, code, state.codeHash), clock.now(), settings);
        if (outcome.kind !== 'accepted') return { state: outcome.state, result: outcome };
        const children = await childrenOf(trx, state.guardianIds);
        const next = childrenFound(outcome.state, children.map((c) => c.id));
        return { state: next, result: { ...outcome, state: next } };
      }));
    },

    async children(state: FlowState): Promise<Child[]> {
      return childrenByIds(db, state.childIds);
    },

    /** Step 3: every child's date of birth must match the school's; `typed` is in the order shown. */
    async checkBirthdates(flowId: string, typed: string[]) {
      return recordEnd(await flows.update<(BirthdatesOutcome | { kind: 'out_of_step' }) & { wrong: number[] }>(flowId, async (state, trx) => {
        if (state.step !== 'children') return { state, result: { kind: 'out_of_step', wrong: [] } };
        const children = await childrenByIds(trx, state.childIds);
        const wrong = wrongBirthdates(children.map((c) => c.birthdate), typed);
        const outcome = applyBirthdates(state, wrong.length === 0 && children.length === state.childIds.length, settings);
        return { state: outcome.state, result: { ...outcome, wrong } };
      }));
    },

    /** Step 4: the password, checked against the rules with this family's names and dates, then one account. */
    async choosePassword(flowId: string, password: string): Promise<{ kind: 'refused'; message: string } | { kind: 'done' | 'already_active' | 'out_of_step' | 'gone' }> {
      const state = await flows.load(flowId);
      if (!state) return { kind: 'gone' };
      if (state.step !== 'password') return { kind: 'out_of_step' };
      const [children, guardians] = await Promise.all([
        childrenByIds(db, state.childIds),
        db.selectFrom('guardians as g').leftJoin('accounts as a', 'a.id', 'g.account_id')
          .select(['g.given_name', 'g.family_name', 'a.identifiant']).where('g.id', 'in', state.guardianIds).execute(),
      ]);
      const first = guardians[0];
      const identifiant = first?.identifiant ?? (first ? baseIdentifiant(first.given_name, first.family_name, deps.identifierStyle) : undefined);
      const reason = checkPassword(password, {
        identifiant,
        identifiantShown: false,
        names: [state.givenName, state.familyName, ...guardians.flatMap((g) => [g.given_name, g.family_name])],
        familyGivenNames: children.map((c) => c.givenNames),
        familyNames: children.map((c) => c.familyName),
        birthdates: children.map((c) => c.birthdate),
      });
      if (reason) return { kind: 'refused', message: reason };
      // Hash before taking any lock: it takes tens of milliseconds.
      const passwordHash = await hashPassword(password);
      const result = await flows.update<{ kind: 'done' | 'already_active' | 'out_of_step'; accountId?: string }>(flowId, async (current, trx) => {
        if (current.step !== 'password') return { state: current, result: { kind: 'out_of_step' as const } };
        const outcome = await activateGuardian(trx, deps.accounts, { guardianIds: current.guardianIds, mobile: current.mobile, passwordHash });
        logger.info({ accountId: outcome.account.id, alreadyActive: outcome.alreadyActive }, 'activation finished');
        return {
          state: activated(current, outcome.account, outcome.alreadyActive),
          result: { kind: outcome.alreadyActive ? ('already_active' as const) : ('done' as const), accountId: outcome.account.id },
        };
      });
      // Recorded once the transaction has committed.
      if (result?.accountId) {
        deps.audit?.record({ kind: 'activation.completed', outcome: 'success', accountId: result.accountId, details: { already_active: result.kind === 'already_active' } });
      }
      if (!result) return { kind: 'gone' };
      const { accountId: _id, ...answer } = result;
      return answer;
    },
  };
}
