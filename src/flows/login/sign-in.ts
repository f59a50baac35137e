// Signing in with identifiant and password: input checks, throttling counted before the password is checked
// (docs/architecture.md, «Security decisions»: per device, per account for unknown devices, per address), and one
// neutral answer for every failure. A school letter's provisional password is recognised too: it leads to the first
// connection, not to the service.
import { z } from 'zod';
import type { Account, Accounts } from '../../accounts/accounts.js';
import { PASSWORD_MAX_LENGTH } from '../../accounts/password-policy.js';
import type { Limiter, Rule, Verdict } from '../../limits/limiter.js';
import { AppError, tooManyAttempts } from '../../http/app-error.js';
import { tr } from '../../i18n/request-language.js';
import type { Device, KnownDevices } from './known-devices.js';

/** The one neutral answer for a wrong identifiant or password, in the request's language. */
const wrongCredentials = (): string => tr('login:errors.wrongCredentials');

/** A correct letter past its validity: which kind of account it was for decides what the page suggests. */
export class ProvisionalExpiredError extends AppError {
  constructor(readonly accountKind: Account['kind']) {
    // A correct provisional password past its 3 months: said plainly, never «incorrect» (docs/first-connection.md).
    super('provisional_expired', 401, tr('login:errors.provisionalExpired'), 'provisional password expired');
  }
}

/** The account's own password signed in, or a provisional password opened the first connection. */
export type SignInOutcome = {
  kind: 'account' | 'first_connection';
  account: Account;
  /** After the account's own password: the device cookie's new value, which makes this browser known for it. */
  deviceCookie?: string;
};

export const signInInput = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1024),
});

export interface SignInRules {
  /** Failures of one unknown device (an address) on one identifiant. */
  accountAndAddress: Rule;
  /** Failures of one known device (its cookie's id) on one identifiant: the owner's own, apart from strangers'. */
  knownDevice: Rule;
  /** Failures of every unknown device together on one identifiant (ASVS: at most 100 an hour). */
  account: Rule;
  /** Distinct identifiants failing from one address: a school behind one NAT address is many people, not one. */
  address: Rule;
}

export interface SignInLimits {
  maxFailures: number;
  windowSeconds: number;
  accountMaxFailures: number;
  addressMaxIdentifiants: number;
}

const HOUR = 3600;

export function signInRules(limits: SignInLimits): SignInRules {
  const { maxFailures, windowSeconds } = limits;
  return {
    accountAndAddress: { name: 'login:account+ip', points: maxFailures, windowSeconds },
    knownDevice: { name: 'login:account+device', points: maxFailures, windowSeconds },
    account: { name: 'login:account', points: limits.accountMaxFailures, windowSeconds: HOUR },
    address: { name: 'login:ip-identifiants', points: limits.addressMaxIdentifiants, windowSeconds: HOUR },
  };
}

/** A hit to give back or a counter to forget when the password turns out right. */
type Counted = { rule: Rule; key: string; on: 'success-reset' | 'success-refund' };

/**
 * Counts this attempt before the password is checked, so a parallel burst cannot pass the limit: each hit is one
 * atomic upsert (the account's and the address's share one statement). Returns the counters to settle on
 * success, or the verdict that blocks.
 */
async function countAttempt(
  limiter: Limiter,
  rules: SignInRules,
  attempt: { id: string; address: string; known: Device | undefined },
): Promise<{ blocked?: Verdict; counted: Counted[] }> {
  const { id, address, known } = attempt;
  if (known) {
    const key = `${id}|${known.id}`;
    const v = await limiter.hit(rules.knownDevice, key);
    return { blocked: v.allowed ? undefined : v, counted: [{ rule: rules.knownDevice, key, on: 'success-reset' }] };
  }
  const pairKey = `${id}|${address}`;
  const pair = await limiter.hit(rules.accountAndAddress, pairKey);
  const counted: Counted[] = [{ rule: rules.accountAndAddress, key: pairKey, on: 'success-reset' }];
  // Past its own limit a device stops counting against the account: one address alone cannot exhaust it.
  if (!pair.allowed) return { blocked: pair, counted };
  // The address counts an identifiant once per window (its first attempt from there), so a school's pupils
  // mistyping their own password again and again stay far from the limit, while spraying one password over many
  // identifiants does not.
  const first = pair.used === 1;
  // The account's hit and the address's (hit or check) go in one round trip.
  const counts = first
    ? await limiter.count([[rules.account, id], [rules.address, address]], [])
    : await limiter.count([[rules.account, id]], [[rules.address, address]]);
  const account = counts.hits[0]!;
  const perAddress = first ? counts.hits[1]! : counts.checks[0]!;
  counted.push({ rule: rules.account, key: id, on: 'success-refund' });
  if (first) counted.push({ rule: rules.address, key: address, on: 'success-refund' });
  const addressBlocked = perAddress.used > rules.address.points;
  const blocked = !account.allowed ? account : addressBlocked ? { ...perAddress, allowed: false } : undefined;
  return { blocked, counted };
}

/** Forgets the failures of every unknown device on an identifiant: for a successful recovery (issue 10). */
export function createClearLoginFailures(deps: { limiter: Limiter; rules: SignInRules }) {
  return async function clearLoginFailures(identifiant: string): Promise<void> {
    await deps.limiter.reset(deps.rules.account, identifiant.trim().toLowerCase());
  };
}

export function createSignIn(deps: { accounts: Accounts; limiter: Limiter; rules: SignInRules; devices: KnownDevices }) {
  const { accounts, limiter, rules, devices } = deps;
  /** `deviceCookie` is the raw value of the browser's device cookie, if any (device-cookie.ts). */
  return async function signIn(raw: unknown, address: string, deviceCookie?: string): Promise<SignInOutcome> {
    const parsed = signInInput.safeParse(raw);
    if (!parsed.success) {
      // Both given but out of bounds (a pasted 10 000-character identifiant): no account can match, so the neutral
      // answer is the true one, without touching the store. Only a missing field asks the person to fill it in.
      const given = (v: unknown) => typeof v === 'string' && v.trim() !== '';
      const { username, password } = (raw ?? {}) as Record<string, unknown>;
      if (given(username) && given(password)) throw new AppError('invalid_credentials', 401, wrongCredentials(), 'wrong identifiant or password');
      throw new AppError('invalid_credentials', 400, tr('login:errors.missing'), 'username and password are required');
    }
    const { username, password } = parsed.data;
    const id = username.toLowerCase();
    // No identifiant holds a control character, and a NUL one cannot even be looked up (PostgreSQL text refuses
    // NUL): answer as for any unknown identifiant without touching the store.
    if (/\p{Cc}/u.test(id)) throw new AppError('invalid_credentials', 401, wrongCredentials(), 'wrong identifiant or password');
    const device = devices.read(deviceCookie);
    const known = devices.knows(device, id) ? device : undefined;
    const { blocked, counted } = await countAttempt(limiter, rules, { id, address, known });
    if (blocked) throw tooManyAttempts(blocked.retryAfterSeconds);
    const match = password.length <= PASSWORD_MAX_LENGTH ? await accounts.verifyCredentials(id, password) : undefined;
    if (!match || (match.kind === 'provisional' && match.expired)) {
      // Already counted; an expired letter is a failure too: it opens nothing.
      if (match) throw new ProvisionalExpiredError(match.account.kind);
      throw new AppError('invalid_credentials', 401, wrongCredentials(), 'wrong identifiant or password');
    }
    // Not a failure after all: this device's failures are forgotten, the shared counters get their hit back (so a
    // success never unlocks strangers, and a school's morning of good sign-ins counts nothing).
    const pick = (on: Counted['on']) => counted.filter((c) => c.on === on).map((c): [Rule, string] => [c.rule, c.key]);
    await limiter.settle(pick('success-reset'), pick('success-refund'));
    if (match.kind !== 'password') return { kind: 'first_connection', account: match.account };
    return { kind: 'account', account: match.account, deviceCookie: devices.remember(device, id) };
  };
}
