// The first connection with a school letter, step by step: a new password (never the letter's), an email, the
// identity check, then one transaction that writes the account and clears the letter; the activation mail leaves
// afterwards, under limits. Knows nothing of HTTP.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Account } from '../../accounts/accounts.js';
import { checkPassword } from '../../accounts/password-policy.js';
import { hashPassword, verifyPassword } from '../../accounts/passwords.js';
import type { Limiter, Rule } from '../../limits/limiter.js';
import type { EndAccountSessions } from '../../oidc/account-sessions.js';
import type { AuditTrail } from '../../audit/trail.js';
import { activationLinkMail } from '../../messaging/mail-texts.js';
import { MailError, maskEmail, type MailFailureKind, type Mailer } from '../../messaging/mailer.js';
import type { Db } from '../../store/database.js';
import { wrongBirthdates } from '../common/children.js';
import { newFlowId, type FlowStore } from '../common/flow-store.js';
import type { EmailLinks } from './email-links.js';
import {
  applyIdentity, completed, emailChosen, ended, mailed, newJourney, newReminder, passwordChosen,
  type FlowRules, type FlowState, type IdentityOutcome, type MailStatus,
} from './flow.js';
import { childrenToConfirm, identityQuestions, passwordContext } from './identity.js';
import { tr } from '../../i18n/request-language.js';

export interface FirstConnectionSettings extends FlowRules {
  pupilEmailRequired: boolean;
  emailLinkTtlSeconds: number;
  mailPerAccountHour: number;
  mailPerRecipientHour: number;
  mailPerAddressHour: number;
}

export interface FirstConnectionDeps {
  db: Db;
  limiter: Limiter;
  mailer: Mailer;
  endAccountSessions?: EndAccountSessions;
  links: EmailLinks;
  flows: FlowStore<FlowState>;
  settings: FirstConnectionSettings;
  /** Absolute URL the email link opens, the token appended. */
  linkBase: string;
  logger: Logger;
  /** Records the outcome: the letter used (account written), or the journey ended by wrong answers. */
  audit?: AuditTrail;
}

/** Why a mail could not leave; the routes turn each into a French sentence. Nothing is lost: they can ask again. */
export type MailRefusal = { kind: 'limited'; retryAfterSeconds: number } | { kind: 'mail_failed'; failure: MailFailureKind };

export interface SignInContext {
  interactionUid: string | null;
  clientName: string | null;
}

const HOUR = 3600;

export type FirstConnection = ReturnType<typeof createFirstConnection>;

export function createFirstConnection(deps: FirstConnectionDeps) {
  const { db, limiter, mailer, links, flows, settings, logger } = deps;
  const rules = {
    account: { name: 'mail:account', points: settings.mailPerAccountHour, windowSeconds: HOUR },
    recipient: { name: 'mail:recipient', points: settings.mailPerRecipientHour, windowSeconds: HOUR },
    address: { name: 'mail:address', points: settings.mailPerAddressHour, windowSeconds: HOUR },
  } satisfies Record<string, Rule>;

  /** Counts one mail against every limit (count first, then judge: a parallel burst cannot slip past). */
  async function spend(accountId: string, email: string, address: string): Promise<MailRefusal | undefined> {
    const verdicts = await Promise.all([
      limiter.hit(rules.account, accountId), limiter.hit(rules.recipient, email.toLowerCase()), limiter.hit(rules.address, address),
    ]);
    const blocked = verdicts.find((v) => !v.allowed);
    return blocked ? { kind: 'limited', retryAfterSeconds: blocked.retryAfterSeconds } : undefined;
  }

  async function deliver(accountId: string, email: string, token: string): Promise<MailRefusal | undefined> {
    const validHours = Math.max(1, Math.round(settings.emailLinkTtlSeconds / 3600));
    try {
      await mailer.send({ to: email, ...activationLinkMail({ link: `${deps.linkBase}${encodeURIComponent(token)}`, validHours }) });
      logger.info({ accountId, to: maskEmail(email) }, 'first connection: activation mail sent');
      return undefined;
    } catch (err) {
      if (!(err instanceof MailError)) throw err;
      return { kind: 'mail_failed', failure: err.kind };
    }
  }

  async function sendLink(accountId: string, email: string, token: string, address: string): Promise<MailRefusal | undefined> {
    return (await spend(accountId, email, address)) ?? deliver(accountId, email, token);
  }

  const status = (refusal: MailRefusal | undefined): MailStatus => (refusal ? 'failed' : 'sent');

  return {
    settings,
    load: (flowId: string) => flows.load(flowId),
    emailRequired: (state: FlowState) => state.kind === 'responsable' || settings.pupilEmailRequired,
    questions: (state: FlowState) => identityQuestions(db, state),

    /** A correct, unexpired provisional password: the journey begins (nothing changes on the account yet). */
    async begin(account: Account, context: SignInContext): Promise<string> {
      const row = await db.selectFrom('accounts').select('provisional_password_hash').where('id', '=', account.id).executeTakeFirstOrThrow();
      const flowId = newFlowId();
      await flows.create(flowId, newJourney({ ...context, accountId: account.id, kind: account.kind, identifiant: account.identifiant, letterHash: row.provisional_password_hash }));
      return flowId;
    },

    /** An account *en cours d'activation* signed in: the reminder page, before going on. */
    async remind(account: Account, context: SignInContext): Promise<string> {
      const flowId = newFlowId();
      await flows.create(flowId, newReminder({ ...context, accountId: account.id, kind: account.kind, identifiant: account.identifiant, email: account.email }));
      return flowId;
    },

    /** Whether the account still waits for its email link (the done page then offers to resend or correct). */
    async awaitsLink(state: FlowState): Promise<boolean> {
      const row = await db.selectFrom('accounts').select(['state', 'email']).where('id', '=', state.accountId).executeTakeFirst();
      return row?.state === 'en_cours' && Boolean(row.email);
    },

    /** The account an email step starts from: its current address, to offer it again. */
    async currentEmail(state: FlowState): Promise<string | null> {
      const row = await db.selectFrom('accounts').select('email').where('id', '=', state.accountId).executeTakeFirst();
      return row?.email ?? null;
    },

    /** Step 1: the rules with this person's names and dates, and never the letter's password. */
    async choosePassword(flowId: string, password: string): Promise<{ kind: 'refused'; message: string } | { kind: 'ok' | 'gone' }> {
      const state = await flows.load(flowId);
      if (!state) return { kind: 'gone' };
      if (state.step !== 'password') return { kind: 'ok' };
      const reason = checkPassword(password, await passwordContext(db, state));
      if (reason) return { kind: 'refused', message: reason };
      if (state.letterHash && (await verifyPassword(state.letterHash, password))) {
        return { kind: 'refused', message: tr('first-connection:errors.samePassword') };
      }
      const passwordHash = await hashPassword(password);
      const saved = await flows.update(flowId, async (current) =>
        current.step === 'password' ? { state: passwordChosen(current, passwordHash), result: true } : { state: current, result: true });
      return { kind: saved ? 'ok' : 'gone' };
    },

    /** Step 2: the address (null when a pupil skips it, where optional); the identity step's questions are fixed here. */
    async chooseEmail(flowId: string, email: string | null): Promise<'ok' | 'gone'> {
      const saved = await flows.update(flowId, async (state, trx) => {
        if (state.step !== 'email') return { state, result: true };
        const childIds = state.kind === 'responsable' ? await childrenToConfirm(trx, state.accountId) : [];
        return { state: emailChosen(state, email, childIds), result: true };
      });
      return saved ? 'ok' : 'gone';
    },

    confirmIdentity: (flowId: string, typed: string[], address: string) => confirmIdentity(deps, flowId, typed, address, sendLink, status),

    /** «Renvoyer le courriel»: a new link (the previous one stops working), under the same limits. */
    async resend(flowId: string, address: string): Promise<MailRefusal | 'sent' | 'gone' | 'nothing'> {
      return relink(flowId, address, null);
    },

    /** «Corriger l'adresse»: the new address replaces the unconfirmed one, and a link leaves for it. */
    async correct(flowId: string, email: string, address: string): Promise<MailRefusal | 'sent' | 'gone' | 'nothing'> {
      return relink(flowId, address, email);
    },
  };

  /**
   * A new link for the address waiting for one (or for `newEmail`, which replaces it). The limits are judged before
   * anything changes: a refused request leaves the previous link working.
   */
  async function relink(flowId: string, address: string, newEmail: string | null): Promise<MailRefusal | 'sent' | 'gone' | 'nothing'> {
    const state = await flows.load(flowId);
    if (!state || state.step !== 'done') return 'gone';
    const current = await db.selectFrom('accounts').select(['email', 'state']).where('id', '=', state.accountId).executeTakeFirst();
    const target = newEmail ?? current?.email;
    // Only an address still waiting for its link can be sent again or corrected.
    if (!current || current.state !== 'en_cours' || !target) return 'nothing';
    const limited = await spend(state.accountId, target, address);
    if (limited) return limited;
    const token = await db.transaction().execute(async (trx) => {
      const locked = await trx.selectFrom('accounts').select('state').where('id', '=', state.accountId).forUpdate().executeTakeFirst();
      if (locked?.state !== 'en_cours') return undefined;
      if (newEmail) await trx.updateTable('accounts').set({ email: newEmail, email_verified: false, updated_at: new Date() }).where('id', '=', state.accountId).execute();
      return links.issue(trx, state.accountId, target);
    });
    if (!token) return 'nothing';
    const refusal = await deliver(state.accountId, target, token);
    await flows.update(flowId, async (flow) => ({ state: mailed(flow, status(refusal), target), result: true }));
    return refusal ?? 'sent';
  }
}

export type IdentityResult =
  | (IdentityOutcome & { wrong: string[]; refusal?: MailRefusal })
  | { kind: 'out_of_step' | 'gone' };

/**
 * Step 3: the dates must all match the school's. The last try ends the journey and the letter's password stops
 * working; a match writes the account in the same transaction as the flow, then the mail leaves.
 */
/**
 * Wrong identity answers are counted per letter, not per journey: signing in again with the same letter starts a
 * new journey, and must not give fresh tries. A new letter (a new provisional hash) starts from zero. The window
 * outlasts any letter (3 months).
 */
const LETTER_TRIES: Omit<Rule, 'points'> = { name: 'first-connection:birthdates', windowSeconds: 100 * 24 * HOUR };
const letterKey = (state: FlowState) => `${state.accountId}|${createHash('sha256').update(state.letterHash ?? '').digest('base64url').slice(0, 22)}`;

/** Whether the typed dates all match the school's, for the journey as it stands. */
async function answersMatch(db: Db, state: FlowState, typed: string[]): Promise<{ match: boolean; wrong: string[]; asked: number }> {
  const questions = await identityQuestions(db, state);
  const wrong = wrongBirthdates(questions.map((q) => q.expected), typed).map((n) => questions[n - 1]!.field);
  return { match: questions.length > 0 && wrong.length === 0 && typed.length === questions.length, wrong, asked: questions.length };
}

/**
 * Step 3: the dates must all match the school's. The last try ends the journey and the letter's password stops
 * working; a match writes the account in the same transaction as the flow, then the mail leaves.
 */
async function confirmIdentity(
  deps: FirstConnectionDeps,
  flowId: string,
  typed: string[],
  address: string,
  sendLink: (accountId: string, email: string, token: string, address: string) => Promise<MailRefusal | undefined>,
  status: (refusal: MailRefusal | undefined) => MailStatus,
): Promise<IdentityResult> {
  const { db, flows, links, settings, logger, limiter } = deps;
  const before = await flows.load(flowId);
  if (!before) return { kind: 'gone' };
  // Count first, then judge (outside the flow's lock: the counter may live in Redis): parallel wrong answers each
  // spend a try of the letter.
  const rule: Rule = { ...LETTER_TRIES, points: settings.birthdateMaxTries };
  const checked = before.step === 'identity' ? await answersMatch(db, before, typed) : undefined;
  const counted = checked && checked.asked > 0 && !checked.match ? (await limiter.hit(rule, letterKey(before))).used : undefined;
  const outcome = await flows.update<IdentityResult & { token?: string; replacedPassword?: boolean }>(flowId, async (state, trx) => {
    if (state.step !== 'identity') return { state, result: { kind: 'out_of_step' } };
    const { match, wrong, asked } = await answersMatch(trx, state, typed);
    if (asked === 0) {
      // The school's data changed under the journey (no child left to ask about): not the person's fault, so the
      // letter keeps working once the school has fixed its data.
      const next = ended(state, 'no_birthdate');
      return { state: next, result: { kind: 'ended', state: next, wrong: [] } };
    }
    const failuresSoFar = counted !== undefined ? Math.max(state.birthdateFailures, counted - 1) : state.birthdateFailures;
    const verdict = applyIdentity({ ...state, birthdateFailures: failuresSoFar }, match, settings);
    if (verdict.kind === 'ended') await clearLetter(trx, state);
    if (verdict.kind !== 'confirmed') return { state: verdict.state, result: { ...verdict, wrong } };
    const written = await writeAccount(trx, state);
    if (!written) {
      const next = ended(state, 'letter_used');
      return { state: next, result: { kind: 'ended', state: next, wrong: [] } };
    }
    const token = written.needsLink ? await links.issue(trx, state.accountId, state.email!) : undefined;
    logger.info({ accountId: state.accountId, state: written.needsLink ? 'en_cours' : 'active' }, 'first connection completed');
    const next = completed(verdict.state, written.needsLink ? 'sent' : 'none');
    return { state: next, result: { kind: 'confirmed', state: next, wrong: [], replacedPassword: written.replacedPassword, ...(token ? { token } : {}) } };
  });
  if (!outcome) return { kind: 'gone' };
  if (outcome.kind === 'confirmed') deps.audit?.record({ kind: 'first_connection.completed', outcome: 'success', accountId: before.accountId, address });
  if (outcome.kind === 'ended') {
    deps.audit?.record({ kind: 'first_connection.failed', outcome: 'failure', accountId: before.accountId, address, details: { reason: outcome.state.endReason ?? 'ended' } });
  }
  // A letter used after a reset without --revoke replaced a working password: whoever knew it is signed out now.
  if (outcome.kind === 'confirmed' && outcome.replacedPassword) await deps.endAccountSessions?.(before.accountId);
  if (outcome.kind !== 'confirmed' || !('token' in outcome) || !outcome.token) return outcome;
  // The mail leaves once the account is committed: a failing SMTP server loses nothing, the person can ask again.
  const { token, replacedPassword: _replaced, ...result } = outcome;
  const refusal = await sendLink(result.state.accountId, result.state.email!, token, address);
  if (refusal) await flows.update(flowId, async (current) => ({ state: mailed(current, status(refusal)), result: true }));
  return { ...result, ...(refusal ? { refusal, state: mailed(result.state, 'failed') } : {}) };
}

/** The letter's password stops working (3 wrong identity answers): only if it is still the one this journey began with. */
async function clearLetter(trx: Db, state: FlowState): Promise<void> {
  if (!state.letterHash) return;
  await trx.updateTable('accounts').set({ provisional_password_hash: null, provisional_expires_at: null, updated_at: new Date() })
    .where('id', '=', state.accountId).where('provisional_password_hash', '=', state.letterHash).execute();
}

/**
 * Writes the journey's result, the account row locked: the new password, the letter cleared, the address (unverified
 * unless it is the one already verified), and the state — *en cours d'activation* until the link is opened, or
 * *activé* at once when there is nothing to confirm. Undefined when the letter was used or replaced meanwhile.
 */
async function writeAccount(trx: Db, state: FlowState): Promise<{ needsLink: boolean; replacedPassword: boolean } | undefined> {
  const account = await trx.selectFrom('accounts')
    .select(['state', 'email', 'email_verified', 'password_hash', 'provisional_password_hash', 'provisional_expires_at'])
    .where('id', '=', state.accountId).forUpdate().executeTakeFirst();
  if (!account || account.state === 'disabled' || !state.letterHash || account.provisional_password_hash !== state.letterHash) return undefined;
  if (!account.provisional_expires_at || new Date(account.provisional_expires_at) <= new Date()) return undefined;
  const keepsVerified = state.email === null || (account.email_verified && account.email === state.email);
  const needsLink = !keepsVerified;
  await trx.updateTable('accounts').set({
    password_hash: state.passwordHash!,
    password_changed_at: new Date(),
    provisional_password_hash: null,
    provisional_expires_at: null,
    ...(state.email !== null ? { email: state.email, email_verified: keepsVerified } : {}),
    state: needsLink ? 'en_cours' : 'active',
    updated_at: new Date(),
  }).where('id', '=', state.accountId).execute();
  return { needsLink, replacedPassword: account.password_hash !== null };
}
