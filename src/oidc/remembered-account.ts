// The account a token names, read in the same statement as the token (sql-companion-reads.ts) and handed to the
// findAccount that follows in the same HTTP request (claims.ts). Kept in the request's memo (src/request-id.ts):
// gone when the request has answered, and taken once, so a second findAccount in the request reads the database.
import type { Account } from '../accounts/accounts.js';
import { requestMemo } from '../request-id.js';

const key = (accountId: string) => `account\0${accountId}`;

export function rememberAccount(account: Account): void {
  requestMemo()?.set(key(account.id), account);
}

export function takeRememberedAccount(accountId: string): Account | undefined {
  const memo = requestMemo();
  const account = memo?.get(key(accountId)) as Account | undefined;
  if (account) memo!.delete(key(accountId));
  return account;
}
