// «Se connecter avec une clé d'accès» inside a sign-in: the options for the browser, then the verification of what
// it sends back. Limited per address with counters of their own (a passkey failure never counts toward the
// password lockout): attempts are counted before verifying, and a success gives its hit back. Every outcome goes
// to the audit trail as a sign-in `via: passkey`. No Koa here: the routes (passkey-routes.ts) hand in plain values.
import { SIGN_IN_STATES, type Account, type Accounts } from '../../accounts/accounts.js';
import type { AuditTrail } from '../../audit/trail.js';
import { AppError, tooManyAttempts } from '../../http/app-error.js';
import { tr } from '../../i18n/request-language.js';
import type { Limiter, Rule } from '../../limits/limiter.js';
import type { PasskeyCeremonies } from '../../passkeys/ceremonies.js';
import { authenticationResponse, parseCredential } from '../../passkeys/responses.js';
import type { SignInAttempt } from './sign-in-audit.js';

export interface PasskeySignInRules {
  /** Options asked for from one address: each login page with scripts asks once or twice. */
  options: Rule;
  /** Failed passkey sign-ins from one address. */
  failures: Rule;
}

const HOUR = 3600;

/** From the login settings: failures like distinct identifiants failing from one address, options four times that. */
export function passkeySignInRules(login: { addressMaxIdentifiants: number }): PasskeySignInRules {
  return {
    options: { name: 'passkey:options:ip', points: login.addressMaxIdentifiants * 4, windowSeconds: HOUR },
    failures: { name: 'passkey:ip', points: login.addressMaxIdentifiants, windowSeconds: HOUR },
  };
}

/** The «amr» of a passkey sign-in (RFC 8176): proof of possession of a key, with user verification (two factors). */
export const PASSKEY_AMR = ['pop', 'mfa'];

export function createPasskeySignIn(deps: {
  ceremonies: PasskeyCeremonies;
  accounts: Pick<Accounts, 'findById'>;
  limiter: Limiter;
  rules: PasskeySignInRules;
  audit: Pick<AuditTrail, 'record'>;
}) {
  const { ceremonies, limiter, rules, audit } = deps;
  const purpose = (interactionUid: string) => `signin:${interactionUid}`;
  const record = (attempt: SignInAttempt, outcome: 'success' | 'failure', accountId: string | undefined, reason?: string) =>
    audit.record({
      kind: outcome === 'success' ? 'signin.success' : reason === 'rate_limited' ? 'signin.locked' : 'signin.failure',
      outcome, accountId, clientId: attempt.clientId, address: attempt.address, details: { via: 'passkey', ...(reason ? { reason } : {}) },
    });

  return {
    async options(interactionUid: string, address: string) {
      const verdict = await limiter.hit(rules.options, address);
      if (!verdict.allowed) throw tooManyAttempts(verdict.retryAfterSeconds);
      return ceremonies.authenticationOptions(purpose(interactionUid));
    },

    /** The account to sign in; an AppError (a sentence in the request's language) for every refusal. */
    async verify(interactionUid: string, credential: unknown, attempt: SignInAttempt): Promise<Account> {
      const counted = await limiter.hit(rules.failures, attempt.address);
      if (!counted.allowed) {
        record(attempt, 'failure', undefined, 'rate_limited');
        throw tooManyAttempts(counted.retryAfterSeconds);
      }
      const response = parseCredential(authenticationResponse, credential);
      if (!response) {
        record(attempt, 'failure', undefined, 'malformed');
        throw new AppError('invalid_request', 400, tr('login:passkey.unreadable'), 'credential missing or malformed');
      }
      const outcome = await ceremonies.authenticate(purpose(interactionUid), response);
      if (outcome.kind === 'expired') {
        record(attempt, 'failure', undefined, 'passkey_expired');
        throw new AppError('passkey_expired', 400, tr('login:passkey.expired'), 'no challenge for this sign-in, or it expired or was used');
      }
      if (outcome.kind !== 'verified') {
        // A removed key, another account's key, a bad signature: one sentence for all.
        record(attempt, 'failure', outcome.accountId, 'passkey_refused');
        throw new AppError('passkey_refused', 401, tr('login:passkey.refused'), `passkey refused (${outcome.kind})`);
      }
      const account = await deps.accounts.findById(outcome.accountId);
      if (!account || !SIGN_IN_STATES.has(account.state)) {
        record(attempt, 'failure', outcome.accountId, 'account_disabled');
        throw new AppError('account_disabled', 403, tr('login:passkey.accountDisabled'), 'account disabled');
      }
      await limiter.refund(rules.failures, attempt.address);
      record(attempt, 'success', account.id);
      return account;
    },
  };
}

export type PasskeySignIn = ReturnType<typeof createPasskeySignIn>;
