// «Mot de passe oublié», step by step: the identifiant (one neutral answer whatever it designates), a code by SMS or
// a link by mail under the activation's limits, then a new password written in one transaction with the flow; after
// it, the failures are forgotten, every sign-in of the account ends and the owner is told. Knows nothing of HTTP.
import type { Logger } from 'pino';
import { checkPassword } from '../../accounts/password-policy.js';
import { hashPassword } from '../../accounts/passwords.js';
import type { Clock } from '../../clock.js';
import type { Limiter, Rule } from '../../limits/limiter.js';
import { passwordChangedMail, recoveryLinkMail } from '../../messaging/mail-texts.js';
import type { SmsQueue } from '../../messaging/sms-queue.js';
import { activationCodeSms, passwordChangedSms } from '../../messaging/sms-texts.js';
import type { EndAccountSessions } from '../../oidc/account-sessions.js';
import type { Db } from '../../store/database.js';
import type { Codes } from '../activation/codes.js';
import { newFlowId, type FlowStore } from '../common/flow-store.js';
import { accountPasswordContext } from '../common/password-context.js';
import type { MailAfterAnswer } from './after-answer.js';
import { recoverableAccount, type RecoverableAccount } from './channels.js';
import type { RecoveryLinks } from './links.js';
import {
  applyCode, canResend, linkOpened, newFlow, passwordChanged, sendRecorded,
  type CodeOutcome, type FlowRules, type FlowState, type Sent,
} from './flow.js';
import { recoveryRules, type RecoveryLimitSettings } from './limits.js';
import type { AuditTrail } from '../../audit/trail.js';

export interface RecoverySettings extends FlowRules, RecoveryLimitSettings {
  emailLinkTtlSeconds: number;
}

export interface RecoveryDeps {
  db: Db;
  limiter: Limiter;
  smsQueue: SmsQueue;
  mail: MailAfterAnswer;
  codes: Codes;
  links: RecoveryLinks;
  flows: FlowStore<FlowState>;
  settings: RecoverySettings;
  clock: Clock;
  /** Absolute URL the mail link opens, the token appended; and the page to sign in from. */
  linkBase: string;
  loginUrl: string;
  endAccountSessions: EndAccountSessions;
  clearLoginFailures(identifiant: string): Promise<void>;
  /** recovery.started / failed / completed (never what was typed when no account matches). */
  audit: Pick<AuditTrail, 'record'>;
  logger: Logger;
}

/** Why a request was refused. Only limits keyed on what was typed (and the address) refuse: they say nothing of accounts. */
export type Refusal =
  | { kind: 'limited'; retryAfterSeconds: number }
  | { kind: 'too_soon'; waitSeconds: number }
  | { kind: 'too_many_codes' };

/** What a password step ended with; `changed` is the outcome an audit trail would record (with the account id). */
export type PasswordOutcome =
  | { kind: 'changed'; accountId: string; identifiant: string; sessionsEnded: number }
  | { kind: 'refused'; message: string }
  | { kind: 'gone' | 'out_of_step' };

export interface SignInContext {
  interactionUid: string | null;
  clientName: string | null;
}

export type Recovery = ReturnType<typeof createRecovery>;

export function createRecovery(deps: RecoveryDeps) {
  const { db, limiter, smsQueue, codes, links, flows, settings, clock, logger } = deps;
  const rules = recoveryRules(settings);
  const codeMinutes = Math.max(1, Math.round(settings.codeTtlSeconds / 60));

  /** Limits keyed on what was typed and where from: counted alike for every identifiant, so they may refuse aloud. */
  async function spendOpen(identifiant: string, address: string): Promise<Refusal | undefined> {
    const verdicts = await Promise.all([limiter.hit(rules.identifiant, identifiant), limiter.hit(rules.address, address)]);
    const blocked = verdicts.find((v) => !v.allowed);
    return blocked ? { kind: 'limited', retryAfterSeconds: blocked.retryAfterSeconds } : undefined;
  }

  /**
   * Limits that exist only for a known account (its number, its address, its account, the SMS budget): a refusal
   * here would say the account exists, so it only keeps the message from leaving, silently (and is logged).
   */
  async function silentlyAllowed(checks: [Rule, string][], what: string): Promise<boolean> {
    const verdicts = await Promise.all(checks.map(([r, k]) => limiter.hit(r, k)));
    if (verdicts.every((v) => v.allowed)) return true;
    logger.info({ what }, 'recovery message held back by a limit');
    return false;
  }

  /** Sends what the channel allows: a code by SMS (returns its hash), a link by mail, or nothing. */
  async function send(flowId: string, account: RecoverableAccount | undefined, channel: 'sms' | 'mail', context: SignInContext): Promise<{ sent: Sent; codeHash: string | null }> {
    if (channel === 'sms' && account?.mobile) {
      const m = account.mobile;
      const ok = await silentlyAllowed([[rules.numberHour, m], [rules.numberDay, m], [rules.account, account.id], [rules.budget, 'service']], 'sms');
      if (!ok) return { sent: 'none', codeHash: null };
      const code = codes.generate();
      const queued = await smsQueue.enqueue({ message: { to: m, body: activationCodeSms(code, codeMinutes) }, outcome: { handler: 'log', payload: 'recovery code SMS' } });
      return queued ? { sent: 'sms', codeHash: codes.hash(flowId, code) } : { sent: 'none', codeHash: null };
    }
    if (channel === 'mail' && account?.email) {
      const ok = await silentlyAllowed([[rules.mailAccount, account.id], [rules.mailRecipient, account.email.toLowerCase()]], 'mail');
      if (!ok) return { sent: 'none', codeHash: null };
      const token = await links.issue(account.id, context);
      const validMinutes = Math.max(1, Math.round(settings.emailLinkTtlSeconds / 60));
      deps.mail.send({ to: account.email, ...recoveryLinkMail({ link: `${deps.linkBase}${encodeURIComponent(token)}`, validMinutes }) }, 'link');
      return { sent: 'mail', codeHash: null };
    }
    return { sent: 'none', codeHash: null };
  }

  const preferred = (account: RecoverableAccount | undefined): 'sms' | 'mail' => (account?.mobile ? 'sms' : 'mail');

  /** A further code or link for this flow: after the waiting time, within the sends allowed, under the limits. */
  async function again(flowId: string, address: string, channel: (account: RecoverableAccount | undefined) => 'sms' | 'mail'): Promise<Refusal | 'sent' | 'gone'> {
    const state = await flows.load(flowId);
    if (!state || state.step !== 'code') return 'gone';
    const verdict = canResend(state, clock.now(), settings);
    if (!verdict.ok) return verdict.reason === 'too_soon' ? { kind: 'too_soon', waitSeconds: verdict.waitSeconds } : { kind: 'too_many_codes' };
    const refused = await spendOpen(state.identifiant, address);
    if (refused) return refused;
    const account = await recoverableAccount(db, state.identifiant);
    const usable = account && account.id === state.accountId ? account : undefined;
    const outcome = await send(flowId, usable, channel(usable), state);
    const saved = await flows.update(flowId, async (current) => {
      if (current.step !== 'code') return { state: current, result: false };
      return { state: sendRecorded(current, outcome.sent, outcome.codeHash, clock.now(), settings), result: true };
    });
    return saved ? 'sent' : 'gone';
  }

  return {
    settings,
    codeMinutes,
    load: (flowId: string) => flows.load(flowId),

    /** Step 1: the same work and the same answer whatever the identifiant designates; the SMS or mail leaves after. */
    async start(typed: string, address: string, context: SignInContext): Promise<{ flowId: string } | Refusal> {
      const identifiant = typed.trim().toLowerCase();
      const refused = await spendOpen(identifiant, address);
      if (refused) return refused;
      const account = await recoverableAccount(db, identifiant);
      const flowId = newFlowId();
      const outcome = await send(flowId, account, preferred(account), context);
      const state = sendRecorded(newFlow({ ...context, identifiant, accountId: account?.id ?? null }), outcome.sent, outcome.codeHash, clock.now(), settings);
      await flows.create(flowId, state);
      deps.audit.record({ kind: 'recovery.started', outcome: 'success', accountId: account?.id ?? null, address, details: { via: outcome.sent } });
      return { flowId };
    },

    /** «Renvoyer» : the same channel as the first time (a code when a mobile is known, else a link). */
    resend: (flowId: string, address: string) => again(flowId, address, preferred),

    /** «Recevoir plutôt un lien par courriel»: offered to everyone; only a confirmed address gets one. */
    mailInstead: (flowId: string, address: string) => again(flowId, address, () => 'mail'),

    /** Step 2: the typed code, under the flow's lock so parallel guesses each spend a try. */
    async checkCode(flowId: string, code: string): Promise<CodeOutcome | { kind: 'out_of_step' } | undefined> {
      let accountId: string | null = null;
      const outcome = await flows.update<CodeOutcome | { kind: 'out_of_step' }>(flowId, async (state) => {
        if (state.step !== 'code') return { state, result: { kind: 'out_of_step' } };
        accountId = state.accountId;
        const outcome = applyCode(state, codes.matches(flowId, code, state.codeHash), clock.now(), settings);
        return { state: outcome.state, result: outcome };
      });
      // Recorded once the flow's change is saved, not inside it: a change rolled back (Redis lost mid-step) ended nothing.
      if (outcome?.kind === 'ended') deps.audit.record({ kind: 'recovery.failed', outcome: 'failure', accountId, details: { reason: 'code_failures' } });
      return outcome;
    },

    inspectLink: (token: string) => links.inspect(token),

    /** The mail's link, posted from its page: spent once, it opens a new flow at the password step. */
    async openLink(token: string): Promise<{ kind: 'opened'; flowId: string } | { kind: 'invalid' | 'used' | 'expired' }> {
      const verdict = await links.spend(token);
      if (verdict.kind !== 'valid') return verdict;
      const row = await db.selectFrom('accounts').select('identifiant').where('id', '=', verdict.accountId).executeTakeFirstOrThrow();
      const flowId = newFlowId();
      await flows.create(flowId, linkOpened({ interactionUid: verdict.interactionUid, clientName: verdict.clientName, identifiant: row.identifiant, accountId: verdict.accountId }));
      return { kind: 'opened', flowId };
    },

    /** Step 3: the rules with this person's names and dates; then one transaction for the password and the flow. */
    async choosePassword(flowId: string, password: string): Promise<PasswordOutcome> {
      const state = await flows.load(flowId);
      if (!state) return { kind: 'gone' };
      if (state.step !== 'password' || !state.accountId) return { kind: 'out_of_step' };
      const accountId = state.accountId;
      const reason = checkPassword(password, await accountPasswordContext(db, accountId));
      if (reason) return { kind: 'refused', message: reason };
      // Hash before taking any lock: it takes tens of milliseconds.
      const passwordHash = await hashPassword(password);
      let passkeysRemoved = 0;
      const written = await flows.update<string | null>(flowId, async (current, trx) => {
        if (current.step !== 'password') return { state: current, result: null };
        const now = new Date();
        const row = await trx.updateTable('accounts')
          .set({ password_hash: passwordHash, password_changed_at: now, provisional_password_hash: null, provisional_expires_at: null, updated_at: now })
          .where('id', '=', accountId).where('state', '<>', 'disabled')
          .returning('identifiant').executeTakeFirst();
        if (!row) return { state: current, result: null };
        // Recovery is how an owner takes the account back: a passkey added by whoever held the password (or kept on
        // a lost phone) must not outlive it. The person adds their keys again from «Mon compte» (docs/passkeys.md).
        const removed = await trx.deleteFrom('passkeys').where('account_id', '=', accountId).executeTakeFirst();
        passkeysRemoved = Number(removed.numDeletedRows);
        return { state: passwordChanged(current), result: row.identifiant };
      });
      if (written === undefined) return { kind: 'gone' };
      if (written === null) return { kind: 'out_of_step' };
      if (passkeysRemoved > 0) deps.audit.record({ kind: 'passkey.removed', outcome: 'success', accountId, details: { count: passkeysRemoved } });
      // After the commit: the strangers' failures are forgotten, every sign-in ends (relying parties are told), the
      // owner learns of the change on every channel known.
      await deps.clearLoginFailures(written);
      const ended = await deps.endAccountSessions(accountId);
      await tellOwner(accountId, written);
      logger.info({ accountId }, 'password recovered');
      deps.audit.record({ kind: 'recovery.completed', outcome: 'success', accountId, details: { count: ended.sessions } });
      return { kind: 'changed', accountId, identifiant: written, sessionsEnded: ended.sessions };
    },
  };

  async function tellOwner(accountId: string, identifiant: string): Promise<void> {
    const account = await recoverableAccount(db, identifiant);
    if (!account || account.id !== accountId) return;
    if (account.mobile && (await silentlyAllowed([[rules.budget, 'service']], 'changed sms'))) {
      const mobile = account.mobile;
      // The password is already changed: a queue that cannot take the notice (Redis down) must not turn that into an error.
      await smsQueue.enqueue({ message: { to: mobile, body: passwordChangedSms() }, outcome: { handler: 'log', payload: 'password changed SMS' } })
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'password changed SMS not queued'));
    }
    if (account.email) deps.mail.send({ to: account.email, ...passwordChangedMail({ identifiant, loginUrl: deps.loginUrl }) }, 'changed');
  }
}
