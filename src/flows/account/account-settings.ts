// What «Mon compte» changes on an account, knowing nothing of HTTP: the password and the email address, each
// behind the current password (checked with the sign-in's own throttling), each ending the account's other
// sign-ins and telling the person by mail. Every outcome is returned for the routes to put into words.
import type { Logger } from 'pino';
import type { Account, Accounts } from '../../accounts/accounts.js';
import { checkPassword } from '../../accounts/password-policy.js';
import { AppError } from '../../http/app-error.js';
import type { Limiter, Rule } from '../../limits/limiter.js';
import { MailError, maskEmail, type MailFailureKind, type Mailer } from '../../messaging/mailer.js';
import type { EndAccountSessions } from '../../oidc/account-sessions.js';
import { sql } from 'kysely';
import type { Db } from '../../store/database.js';
import { accountPasswordContext } from '../common/password-context.js';
import type { createSignIn } from '../login/sign-in.js';
import type { EmailChangeLinks } from './email-change-links.js';
import { emailChangedMail, emailChangeMail, passkeyAddedMail, passwordChangedMail } from './mail-texts.js';
import type { AuditTrail } from '../../audit/trail.js';
import { tr } from '../../i18n/request-language.js';

export interface AccountSettingsDeps {
  db: Db;
  accounts: Accounts;
  signIn: ReturnType<typeof createSignIn>;
  limiter: Limiter;
  mailer: Mailer;
  links: EmailChangeLinks;
  endAccountSessions: EndAccountSessions;
  audit: Pick<AuditTrail, 'record'>;
  settings: { emailLinkTtlSeconds: number; mailPerAccountHour: number; mailPerRecipientHour: number; mailPerAddressHour: number };
  /** Absolute URL of the confirmation page, the token appended. */
  confirmBase: string;
  logger: Logger;
}

/** Where the request comes from: what the sign-in's throttling counts the current password against. */
export interface Requester {
  accountId: string;
  /** The oidc-provider session making the change: it stays signed in, every other one ends. */
  sessionId: string;
  address: string;
  deviceCookie?: string | undefined;
}

export type CurrentPasswordRefusal = { kind: 'wrong_current' } | { kind: 'limited'; retryAfterSeconds: number };

export type PasswordChange = CurrentPasswordRefusal | { kind: 'refused'; message: string } | { kind: 'changed'; notified: boolean };

export type EmailChangeRequest =
  | CurrentPasswordRefusal
  | { kind: 'same' }
  | { kind: 'mail_limited'; retryAfterSeconds: number }
  | { kind: 'mail_failed'; failure: MailFailureKind }
  | { kind: 'sent'; email: string };

export interface AccountDetails {
  account: Account;
  /** A new address waiting for its link, if any. */
  pendingEmail: string | null;
}

const HOUR = 3600;

export type AccountSettings = ReturnType<typeof createAccountSettings>;

export function createAccountSettings(deps: AccountSettingsDeps) {
  const { db, accounts, limiter, mailer, logger, settings } = deps;
  // The same counters as the first connection's mails: one budget per account, recipient and address.
  const mailRules = {
    account: { name: 'mail:account', points: settings.mailPerAccountHour, windowSeconds: HOUR },
    recipient: { name: 'mail:recipient', points: settings.mailPerRecipientHour, windowSeconds: HOUR },
    address: { name: 'mail:address', points: settings.mailPerAddressHour, windowSeconds: HOUR },
  } satisfies Record<string, Rule>;

  async function load(accountId: string): Promise<Account> {
    const account = await accounts.findById(accountId);
    if (!account) throw new AppError('account_gone', 403, tr('account:errors.gone'), 'account not found');
    return account;
  }

  /** The current password, counted exactly like a sign-in (per device, per account, per address). */
  async function checkCurrent(account: Account, current: string, who: Requester): Promise<CurrentPasswordRefusal | undefined> {
    try {
      const outcome = await deps.signIn({ username: account.identifiant, password: current }, who.address, who.deviceCookie);
      // A school letter's provisional password is not the account's password.
      return outcome.kind === 'account' && outcome.account.id === account.id ? undefined : { kind: 'wrong_current' };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.status === 429) return { kind: 'limited', retryAfterSeconds: err.retryAfterSeconds ?? 60 };
      return { kind: 'wrong_current' };
    }
  }

  async function hasPassword(accountId: string): Promise<boolean> {
    const row = await db.selectFrom('accounts').select(sql<boolean>`password_hash is not null`.as('has')).where('id', '=', accountId).executeTakeFirst();
    return Boolean(row?.has);
  }

  /** A notice that never stops the change it reports: a failing mail server is logged, not shown as a failure. */
  async function notify(to: string | null, content: ReturnType<typeof passwordChangedMail>, accountId: string, what: string): Promise<boolean> {
    if (!to) return false;
    try {
      await mailer.send({ to, ...content });
      return true;
    } catch (err) {
      if (!(err instanceof MailError)) throw err;
      logger.warn({ accountId, to: maskEmail(to), failure: err.kind }, `${what} notice not delivered`);
      return false;
    }
  }

  return {
    hasPassword,

    /** Tells the owner a passkey was added (a key outlives password changes: an intruder's must not go unseen). */
    async notifyPasskeyAdded(accountId: string, name: string): Promise<boolean> {
      const account = await load(accountId);
      return notify(account.email_verified ? account.email : null, passkeyAddedMail({ identifiant: account.identifiant, name }), account.id, 'passkey added');
    },

    /**
     * For a change as weighty as a password's (adding a passkey): the current password, counted like a sign-in.
     * `no_password` for an account that has none (opened through the upstream): nothing to ask.
     */
    async confirmCurrentPassword(who: Requester, current: string | undefined): Promise<CurrentPasswordRefusal | { kind: 'no_password' } | undefined> {
      if (!(await hasPassword(who.accountId))) return { kind: 'no_password' };
      if (!current) return { kind: 'wrong_current' };
      return checkCurrent(await load(who.accountId), current, who);
    },

    async details(accountId: string): Promise<AccountDetails> {
      const account = await load(accountId);
      const pending = await db.selectFrom('email_verifications').select('email')
        .where('account_id', '=', accountId).where('used_at', 'is', null).where('expires_at', '>', new Date())
        .orderBy('expires_at', 'desc').executeTakeFirst();
      return { account, pendingEmail: pending && pending.email !== account.email ? pending.email : null };
    },

    async changePassword(who: Requester, current: string, password: string): Promise<PasswordChange> {
      const account = await load(who.accountId);
      const refused = await checkCurrent(account, current, who);
      if (refused) return refused;
      if (password === current) return { kind: 'refused', message: tr('account:errors.samePassword') };
      const reason = checkPassword(password, await accountPasswordContext(db, account.id));
      if (reason) return { kind: 'refused', message: reason };
      await accounts.setPassword(account.id, password);
      await deps.endAccountSessions(account.id, { keepSessionId: who.sessionId });
      logger.info({ accountId: account.id }, 'password changed from «Mon compte»');
      deps.audit.record({ kind: 'account.password_changed', outcome: 'success', accountId: account.id, address: who.address, details: { via: 'compte' } });
      const notified = await notify(account.email, passwordChangedMail({ identifiant: account.identifiant }), account.id, 'password change');
      return { kind: 'changed', notified };
    },

    async requestEmailChange(who: Requester, current: string, email: string): Promise<EmailChangeRequest> {
      const account = await load(who.accountId);
      const refused = await checkCurrent(account, current, who);
      if (refused) return refused;
      if (account.email_verified && account.email?.toLowerCase() === email.toLowerCase()) return { kind: 'same' };
      // Count first, then judge: a parallel burst cannot slip past the limits.
      const verdicts = await Promise.all([
        limiter.hit(mailRules.account, account.id), limiter.hit(mailRules.recipient, email.toLowerCase()), limiter.hit(mailRules.address, who.address),
      ]);
      const blocked = verdicts.find((v) => !v.allowed);
      if (blocked) return { kind: 'mail_limited', retryAfterSeconds: blocked.retryAfterSeconds };
      const token = await deps.links.issue(account.id, email);
      const validHours = Math.max(1, Math.round(settings.emailLinkTtlSeconds / HOUR));
      try {
        await mailer.send({ to: email, ...emailChangeMail({ link: `${deps.confirmBase}${encodeURIComponent(token)}`, identifiant: account.identifiant, validHours }) });
      } catch (err) {
        if (!(err instanceof MailError)) throw err;
        return { kind: 'mail_failed', failure: err.kind };
      }
      logger.info({ accountId: account.id, to: maskEmail(email) }, 'email change: link sent');
      return { kind: 'sent', email };
    },

    inspectEmailLink: (token: string) => deps.links.inspect(token),

    /**
     * Follows the link: the address is written, the account's other sign-ins end (the browser that confirms keeps
     * its own when it is signed in to this very account), and the previous address is told.
     */
    async confirmEmailChange(token: string, confirmingSession: { accountId: string; sessionId: string } | undefined) {
      const verdict = await deps.links.confirm(token);
      if (verdict.kind !== 'valid') return verdict;
      const keep = confirmingSession?.accountId === verdict.accountId ? confirmingSession.sessionId : undefined;
      await deps.endAccountSessions(verdict.accountId, { keepSessionId: keep });
      logger.info({ accountId: verdict.accountId, to: maskEmail(verdict.email) }, 'email changed from «Mon compte»');
      deps.audit.record({ kind: 'account.email_changed', outcome: 'success', accountId: verdict.accountId, details: { email: verdict.email } });
      if (verdict.previous && verdict.previous.toLowerCase() !== verdict.email.toLowerCase()) {
        await notify(verdict.previous, emailChangedMail({ identifiant: verdict.identifiant, masked: maskEmail(verdict.email) }), verdict.accountId, 'email change');
      }
      return verdict;
    },
  };
}
