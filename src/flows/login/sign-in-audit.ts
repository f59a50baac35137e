// Sign-in outcomes for the audit trail: one success or failure event per attempt, with the reason as a class.
// A failure names the account when the identifiant exists, looked up after the answer is decided and without being
// awaited, so an unknown identifiant takes no more or less time than a known one. The identifiant typed is never
// stored (people type their password in it).
import type { Accounts } from '../../accounts/accounts.js';
import type { AuditTrail } from '../../audit/trail.js';
import type { SignInFailureReason } from '../../audit/events.js';
import { AppError } from '../../http/app-error.js';
import { ProvisionalExpiredError } from './sign-in.js';

export interface SignInAttempt {
  address: string;
  clientId: string | undefined;
}

export function failureReason(err: AppError): SignInFailureReason {
  if (err instanceof ProvisionalExpiredError) return 'provisional_expired';
  if (err.status === 429) return 'rate_limited';
  if (err.status === 400) return 'missing_fields';
  return 'wrong_credentials';
}

export function createSignInAudit(deps: { audit: AuditTrail; accounts: Pick<Accounts, 'findByIdentifiant'>; logger?: { warn(o: object, m: string): void } }) {
  const { audit, accounts } = deps;
  return {
    succeeded(attempt: SignInAttempt, accountId: string, via: 'password' | 'letter'): void {
      audit.record({ kind: 'signin.success', outcome: 'success', accountId, clientId: attempt.clientId, address: attempt.address, details: { via } });
    },
    failed(attempt: SignInAttempt, username: unknown, err: AppError): void {
      const reason = failureReason(err);
      const record = (accountId: string | undefined) =>
        audit.record({
          // «Trop de tentatives»: the lockout has its own kind, so an operator can list them.
          kind: reason === 'rate_limited' ? 'signin.locked' : 'signin.failure',
          outcome: 'failure', accountId, clientId: attempt.clientId, address: attempt.address, details: { reason },
        });
      const id = typeof username === 'string' ? username.trim().toLowerCase() : '';
      if (!id || id.length > 100 || /\p{Cc}/u.test(id)) return record(undefined);
      void accounts.findByIdentifiant(id).then(
        (account) => record(account?.id),
        () => record(undefined),
      );
    },
  };
}

export type SignInAudit = ReturnType<typeof createSignInAudit>;
