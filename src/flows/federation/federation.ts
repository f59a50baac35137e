// The federation journey's work, after the upstream sign-in: a linked identity signs in, a matched guardian
// confirms the children's birth dates (activation's rule and tries) and gets the link, anyone else is told to
// activate by SMS. Knows nothing of HTTP.
import type { Logger } from 'pino';
import type { Accounts } from '../../accounts/accounts.js';
import type { AuditTrail } from '../../audit/trail.js';
import type { Limiter, Rule } from '../../limits/limiter.js';
import type { Db } from '../../store/database.js';
import { childrenByIds, childrenOf, wrongBirthdates, type Child } from '../common/children.js';
import { newFlowId, type FlowStore } from '../common/flow-store.js';
import { linkGuardian } from './account-link.js';
import { applyBirthdates, ended, finished, linkedFlow, matchedFlow, signedIn, type BirthdatesOutcome, type FederationStart, type FederationState } from './flow.js';
import { candidateKeys, matchGuardian } from './guardian-match.js';
import { linkedAccount } from './links.js';
import type { UpstreamIdentity } from './upstream-client.js';

export interface FederationDeps {
  db: Db;
  accounts: Accounts;
  limiter: Limiter;
  flows: FlowStore<FederationState>;
  birthdateMaxTries: number;
  matchesPerDay: number;
  logger: Logger;
  audit?: AuditTrail;
}

/** What the callback leads to: a flow (signed in, or birth dates to confirm, or ended), no match, or a limit. */
export type Arrival =
  | { kind: 'flow'; flowId: string; state: FederationState }
  | { kind: 'no_match' }
  | { kind: 'limited'; retryAfterSeconds: number };

export type Federation = ReturnType<typeof createFederation>;

export function createFederation(deps: FederationDeps) {
  const { db, flows, logger } = deps;
  const matchRule: Rule = { name: 'federation:matches', points: deps.matchesPerDay, windowSeconds: 24 * 3600 };

  async function open(state: FederationState): Promise<Arrival> {
    const flowId = newFlowId();
    await flows.create(flowId, state);
    return { kind: 'flow', flowId, state };
  }

  return {
    birthdateMaxTries: deps.birthdateMaxTries,

    load: (flowId: string) => flows.load(flowId),

    /** Back from the upstream with a checked identity, inside the sign-in `context`. */
    async arrive(identity: UpstreamIdentity, context: { interactionUid: string; clientName: string | null; address: string }): Promise<Arrival> {
      const start: FederationStart = { interactionUid: context.interactionUid, clientName: context.clientName, issuer: identity.issuer, sub: identity.sub };
      const linked = await linkedAccount(db, identity.issuer, identity.sub);
      if (linked) {
        if (linked.state === 'disabled') return open(ended(linkedFlow(start, linked.accountId), 'disabled'));
        return open(linkedFlow(start, linked.accountId));
      }
      const match = await matchGuardian(db, candidateKeys(identity));
      if (!match) {
        logger.info({ issuer: identity.issuer }, 'upstream identity matches no guardian');
        return { kind: 'no_match' };
      }
      // An account already in use is never linked by names and birth dates: a namesake with a guess at the dates
      // would get a way into a parent's account (and see the children's names). As in the SMS activation, only an
      // account nobody has used yet is taken over; the same neutral page as no match, so nothing is revealed.
      if (await inUse(db, match.guardianIds)) {
        logger.info({ issuer: identity.issuer }, 'upstream identity matches a guardian whose account is in use: not linked');
        return { kind: 'no_match' };
      }
      // Each confirmation gives the activation's tries; one upstream identity may start only a few a day.
      const verdict = await deps.limiter.hit(matchRule, `${identity.issuer}|${identity.sub}`);
      if (!verdict.allowed) return { kind: 'limited', retryAfterSeconds: verdict.retryAfterSeconds };
      const children = await childrenOf(db, match.guardianIds);
      return open(matchedFlow(start, match.guardianIds, children.map((c) => c.id)));
    },

    children: (state: FederationState): Promise<Child[]> => childrenByIds(db, state.childIds),

    /** The typed birth dates, in the order shown; all right: the account is linked (created or taken over). */
    async checkBirthdates(flowId: string, typed: string[]) {
      const result = await flows.update<(BirthdatesOutcome | { kind: 'out_of_step' }) & { wrong: number[]; created?: boolean }>(flowId, async (state, trx) => {
        if (state.step !== 'children') return { state, result: { kind: 'out_of_step', wrong: [] } };
        const children = await childrenByIds(trx, state.childIds);
        const wrong = wrongBirthdates(children.map((c) => c.birthdate), typed);
        const outcome = applyBirthdates(state, wrong.length === 0 && children.length === state.childIds.length, deps.birthdateMaxTries);
        if (outcome.kind !== 'confirmed') return { state: outcome.state, result: { ...outcome, wrong } };
        const link = await linkGuardian(trx, deps.accounts, { guardianIds: state.guardianIds, issuer: state.issuer, sub: state.sub });
        const next = link.kind === 'linked' ? signedIn(state, link.accountId) : ended(state, link.kind);
        return { state: next, result: { kind: 'confirmed', state: next, wrong: [], ...(link.kind === 'linked' ? { created: link.created } : {}) } };
      });
      if (result?.kind === 'ended') {
        deps.audit?.record({ kind: 'federation.failed', outcome: 'failure', details: { reason: result.state.endReason ?? 'ended' } });
      }
      if (result?.kind === 'confirmed' && result.state.step === 'signed_in') {
        deps.audit?.record({ kind: 'federation.linked', outcome: 'success', accountId: result.state.accountId, details: { already_active: !result.created } });
        logger.info({ accountId: result.state.accountId, created: result.created }, 'upstream identity linked');
      }
      return result;
    },

    /** Hands the account to the sign-in once: the flow is spent whatever happens next. */
    async handOver(flowId: string, address: string): Promise<FederationState | undefined> {
      const handed = await flows.update(flowId, async (state) => {
        if (state.step !== 'signed_in') return { state, result: undefined };
        return { state: finished(state), result: state };
      });
      if (handed?.accountId) {
        deps.audit?.record({ kind: 'signin.success', outcome: 'success', accountId: handed.accountId, address, details: { via: 'upstream' } });
      }
      return handed;
    },
  };
}

/** Whether one of these guardian rows belongs to an account someone already uses (active, or waiting for its email). */
async function inUse(db: Db, guardianIds: string[]): Promise<boolean> {
  const row = await db.selectFrom('guardians').innerJoin('accounts', 'accounts.id', 'guardians.account_id')
    .select('accounts.id').where('guardians.id', 'in', guardianIds).where('accounts.state', 'in', ['active', 'en_cours'])
    .executeTakeFirst();
  return Boolean(row);
}
