// Signing in with identifiant and password: input checks, throttling per account+address, per account and per
// address (so a stranger cannot lock an owner out from elsewhere), and one neutral answer for every failure. A
// school letter's provisional password is recognised too: it leads to the first connection, not to the service.
import { z } from 'zod';
import type { Account, Accounts } from '../../accounts/accounts.js';
import { PASSWORD_MAX_LENGTH } from '../../accounts/password-policy.js';
import type { Limiter, Rule } from '../../limits/limiter.js';
import { AppError, tooManyAttempts } from '../../http/app-error.js';

export const WRONG_CREDENTIALS =
  'L’identifiant ou le mot de passe est incorrect. Vérifiez-les, ou choisissez « Mot de passe oublié ».';

/** A correct provisional password past its 3 months: said plainly, never «incorrect» (docs/first-connection.md). */
export const PROVISIONAL_EXPIRED = 'Le mot de passe provisoire de votre courrier a expiré : il était valable 3 mois.';

/** The account's own password signed in, or a provisional password opened the first connection. */
export type SignInOutcome = { kind: 'account' | 'first_connection'; account: Account };

export const signInInput = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1024),
});

export interface SignInRules {
  accountAndAddress: Rule;
  account: Rule;
  address: Rule;
}

export function signInRules(maxFailures: number, windowSeconds: number): SignInRules {
  return {
    accountAndAddress: { name: 'login:account+ip', points: maxFailures, windowSeconds },
    // Across addresses an account tolerates many more failures: a guessing campaign is slowed, the owner still gets in.
    account: { name: 'login:account', points: maxFailures * 10, windowSeconds },
    address: { name: 'login:ip', points: maxFailures * 10, windowSeconds },
  };
}

export function createSignIn(deps: { accounts: Accounts; limiter: Limiter; rules: SignInRules }) {
  const { accounts, limiter, rules } = deps;
  return async function signIn(raw: unknown, address: string): Promise<SignInOutcome> {
    const parsed = signInInput.safeParse(raw);
    if (!parsed.success) {
      // Both given but out of bounds (a pasted 10 000-character identifiant): no account can match, so the neutral
      // answer is the true one, without touching the store. Only a missing field asks the person to fill it in.
      const given = (v: unknown) => typeof v === 'string' && v.trim() !== '';
      const { username, password } = (raw ?? {}) as Record<string, unknown>;
      if (given(username) && given(password)) throw new AppError('invalid_credentials', 401, WRONG_CREDENTIALS, 'wrong identifiant or password');
      throw new AppError('invalid_credentials', 400, 'Indiquez votre identifiant et votre mot de passe.', 'username and password are required');
    }
    const { username, password } = parsed.data;
    const id = username.toLowerCase();
    // No identifiant holds a control character, and a NUL one cannot even be looked up (PostgreSQL text refuses
    // NUL): answer as for any unknown identifiant without touching the store.
    if (/\p{Cc}/u.test(id)) throw new AppError('invalid_credentials', 401, WRONG_CREDENTIALS, 'wrong identifiant or password');
    const checks = await limiter.checkAll([
      [rules.accountAndAddress, `${id}|${address}`],
      [rules.account, id],
      [rules.address, address],
    ]);
    const blocked = checks.find((c) => !c.allowed);
    if (blocked) throw tooManyAttempts(blocked.retryAfterSeconds);
    const match = password.length <= PASSWORD_MAX_LENGTH ? await accounts.verifyCredentials(id, password) : undefined;
    if (!match || (match.kind === 'provisional' && match.expired)) {
      // An expired letter counts as a failure too: it opens nothing.
      await Promise.all([
        limiter.hit(rules.accountAndAddress, `${id}|${address}`),
        limiter.hit(rules.account, id),
        limiter.hit(rules.address, address),
      ]);
      if (match) throw new AppError('provisional_expired', 401, PROVISIONAL_EXPIRED, 'provisional password expired');
      throw new AppError('invalid_credentials', 401, WRONG_CREDENTIALS, 'wrong identifiant or password');
    }
    // A success forgets this device's earlier failures (there is nothing to forget on most sign-ins).
    if (checks[0]!.used > 0) await limiter.reset(rules.accountAndAddress, `${id}|${address}`);
    return { kind: match.kind === 'password' ? 'account' : 'first_connection', account: match.account };
  };
}
