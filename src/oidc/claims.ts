// What relying parties learn about a person: the scopes, the claims each scope releases, and the account lookup
// oidc-provider calls (findAccount). Claims come from the account and, for school claims, from the directory.
import { createHash } from 'node:crypto';
import { SIGN_IN_STATES, type Account, type Accounts } from '../accounts/accounts.js';
import { takeRememberedAccount } from './remembered-account.js';

export const SCOPE_CLAIMS: Record<string, string[]> = {
  // `amr` is session data, not the account's (RFC 8176): ['pwd'] after a password (the letter's included),
  // ['pop', 'mfa'] after a passkey (docs/passkeys.md), ['sms'] after an activation or a recovery by SMS code; absent
  // after a recovery by mailed link or a FranceConnect-style sign-in (no registered value says what was checked).
  openid: ['sub', 'amr'],
  profile: ['given_name', 'family_name', 'preferred_username', 'birthdate'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  // School claims, filled from the directory (see directory/claims.ts); names follow the national attributes.
  scolarite: ['FrEduCtPersonAffiliation', 'FrEduCtEleveUAI', 'FrEduCtEleveNiveau', 'classe', 'enfants'],
  ine: ['ine'],
};

/** A subject identifier for one sector: stable for that client, unlinkable across clients. */
export function pairwiseSubject(accountId: string, sectorIdentifier: string, salt: string): string {
  return createHash('sha256').update(`${sectorIdentifier}\0${accountId}\0${salt}`).digest('base64url');
}

export function standardClaims(account: Account): Record<string, unknown> {
  return {
    sub: account.id,
    given_name: account.given_name,
    family_name: account.family_name,
    preferred_username: account.identifiant,
    ...(account.kind === 'eleve' && account.birthdate ? { birthdate: account.birthdate } : {}),
    ...(account.email ? { email: account.email, email_verified: account.email_verified } : {}),
    ...(account.mobile ? { phone_number: account.mobile, phone_number_verified: account.mobile_verified } : {}),
  };
}

/**
 * Extra claims contributed by other modules (the directory's school scopes). Each serves some scopes and is only
 * asked when one of them is granted, so a sign-in without school scopes costs no directory query.
 */
export interface ClaimsContributor {
  scopes: string[];
  claims(account: Account, subjectFor: (accountId: string) => string): Promise<Record<string, unknown>>;
}

export function createFindAccount(accounts: Accounts, contributors: ClaimsContributor[] = []) {
  /** What oidc-provider gets for an account already read (in the same statement as something else, sign-in-lookup.ts). */
  function accountFound(subjectFor: (accountId: string) => string, account: Account | undefined) {
    // Only an active account is anybody (or one *en cours d'activation*, whose email link is still unopened: it may
    // sign in meanwhile, docs/first-connection.md): after a reset with --revoke or a disabling, sessions, access and
    // refresh tokens of whoever held the old password stop working at once.
    if (!account || !SIGN_IN_STATES.has(account.state)) return undefined;
    return {
      accountId: account.id,
      async claims(_use: string, scope: string) {
        const granted = new Set(scope.split(' '));
        const wanted = contributors.filter((c) => c.scopes.some((s) => granted.has(s)));
        const extra = await Promise.all(wanted.map((c) => c.claims(account, subjectFor)));
        return Object.assign(standardClaims(account), ...extra);
      },
    };
  }
  async function findAccount(subjectFor: (accountId: string) => string, accountId: string) {
    // The token this request just read may have brought its account along (sql-companion-reads.ts).
    return accountFound(subjectFor, takeRememberedAccount(accountId) ?? (await accounts.findById(accountId)));
  }
  return Object.assign(findAccount, { accountFound });
}
