// «Identifiant oublié»: names and a mobile or an address; every account they designate gets its identifiant on that
// channel (a declared mobile, a confirmed address). The answer is the same whether anything matched; the messages
// leave after it. Knows nothing of HTTP.
import type { Logger } from 'pino';
import type { Limiter } from '../../limits/limiter.js';
import { identifiantReminderMail } from '../../messaging/mail-texts.js';
import type { SmsQueue } from '../../messaging/sms-queue.js';
import { identifiantReminderSms } from '../../messaging/sms-texts.js';
import { nameKey, NO_NAME_KEY } from '../../directory/name-key.js';
import type { Db } from '../../store/database.js';
import type { MailAfterAnswer } from './after-answer.js';
import { accountsByEmail, accountsByMobile, type NamedAccount } from './channels.js';
import { recoveryRules, type RecoveryLimitSettings } from './limits.js';
import type { Refusal } from './recovery.js';

export interface ForgottenInput {
  familyName: string;
  givenName: string;
  /** A mobile in E.164, or an address (domain lower-cased). */
  contact: { kind: 'mobile'; value: string } | { kind: 'email'; value: string };
}

/** What was done, for whoever records it (never shown: the page is the same). */
export type ForgottenOutcome = { kind: 'answered'; sent: number } | Refusal;

// One person rarely holds more; a list longer than this is not a reminder any more.
const MAX_IDENTIFIANTS = 5;

export interface ForgottenDeps {
  db: Db;
  limiter: Limiter;
  smsQueue: SmsQueue;
  mail: MailAfterAnswer;
  settings: RecoveryLimitSettings;
  loginUrl: string;
  logger: Logger;
}

export function createForgottenIdentifiant(deps: ForgottenDeps) {
  const { db, limiter, smsQueue } = deps;
  const rules = recoveryRules(deps.settings);
  const matches = (key: string) => (a: NamedAccount) => nameKey(a.familyName, a.givenName) === key || a.guardianKeys.includes(key);

  return async function remind(input: ForgottenInput, address: string): Promise<ForgottenOutcome> {
    const key = nameKey(input.familyName, input.givenName);
    const { contact } = input;
    const typed = contact.kind === 'email' ? contact.value.toLowerCase() : contact.value;
    // Every limit here is keyed on what was typed: counted alike whether anything matches, so it may refuse aloud.
    const checks: [typeof rules.identifiant, string][] = [[rules.identifiant, `${key}|${typed}`], [rules.address, address]];
    checks.push([contact.kind === 'mobile' ? rules.typedNumber : rules.typedRecipient, typed]);
    const verdicts = await Promise.all(checks.map(([r, k]) => limiter.hit(r, k)));
    const blocked = verdicts.find((v) => !v.allowed);
    if (blocked) return { kind: 'limited', retryAfterSeconds: blocked.retryAfterSeconds };

    const found = key === NO_NAME_KEY ? [] : (contact.kind === 'mobile' ? await accountsByMobile(db, typed) : await accountsByEmail(db, typed)).filter(matches(key));
    const identifiants = found.slice(0, MAX_IDENTIFIANTS).map((a) => a.identifiant);
    let sent = 0;
    for (const identifiant of identifiants) {
      if (contact.kind === 'mobile') {
        const mobile = typed;
        // Real SMS only count against the number's limits and the budget: held back silently, as a refusal would
        // tell a match from a miss.
        const spent = await Promise.all([limiter.hit(rules.numberHour, mobile), limiter.hit(rules.numberDay, mobile), limiter.hit(rules.budget, 'service')]);
        if (spent.some((v) => !v.allowed)) break;
        await smsQueue.enqueue({ message: { to: mobile, body: identifiantReminderSms(identifiant) }, outcome: { handler: 'log', payload: 'identifiant reminder SMS' } });
      } else {
        if (!(await limiter.hit(rules.mailRecipient, typed)).allowed) break;
        deps.mail.send({ to: contact.value, ...identifiantReminderMail({ identifiant, loginUrl: deps.loginUrl }) }, 'identifiant');
      }
      sent += 1;
    }
    return { kind: 'answered', sent };
  };
}

export type ForgottenIdentifiant = ReturnType<typeof createForgottenIdentifiant>;
