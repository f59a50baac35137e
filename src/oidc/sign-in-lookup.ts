// On every resume of an authorization, oidc-provider reads the account (findAccount) and then the interaction policy
// asks which usage charter it must still accept for the client (charter-prompt.ts): two round trips for one
// account. This asks both in one statement; the charter part is remembered on the provider's request context only,
// never across requests (docs/performance.md).
import { sql } from 'kysely';
import { PUBLIC_COLUMNS, type Account } from '../accounts/accounts.js';
import { pendingCharter, type CharterRef } from '../charters/charters.js';
import type { Db } from '../store/database.js';
import { precompile } from '../store/precompiled.js';

export interface AccountWithCharter {
  account: Account | undefined;
  charter: CharterRef | undefined;
}

export type FindAccountWithCharter = (accountId: string, clientId: string) => Promise<AccountWithCharter>;

export function createFindAccountWithCharter(db: Db): FindAccountWithCharter {
  // Compiled once (src/store/precompiled.ts): it runs on every resume of a sign-in.
  const lookup = precompile(db, ['accountId', 'clientId'] as const, (v) =>
    db
      .selectFrom('accounts as a')
      .select(PUBLIC_COLUMNS.map((c) => `a.${c}` as const))
      .select(pendingCharter(sql.ref('a.id'), v.clientId).as('pending_charter'))
      .where('a.id', '=', v.accountId),
  );
  return async (accountId, clientId) => {
    // Not an account id at all (the column is a uuid): nobody, and no charter to ask.
    if (!/^[0-9a-f-]{36}$/i.test(accountId)) return { account: undefined, charter: undefined };
    const [row] = (await lookup({ accountId, clientId })).rows;
    if (!row) return { account: undefined, charter: undefined };
    const { pending_charter, ...account } = row;
    return { account: account as Account, charter: pending_charter ?? undefined };
  };
}
