// What a person allowed each third-party application, remembered per account and client (until withdrawn): a new
// browser session is no reason to ask again; a request for more than was allowed asks only for the new scopes.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';

export interface Consents {
  /** The scopes the account allowed the client, empty when never asked or withdrawn. */
  scopesFor(accountId: string, clientId: string): Promise<string[]>;
  /** Adds scopes to what the account allowed the client (never removes: a narrower request is not a withdrawal). */
  remember(accountId: string, clientId: string, scopes: string[]): Promise<void>;
  /** Every client the account allowed something, with the scopes («Mon compte», «Mes applications»). */
  listFor(accountId: string): Promise<{ clientId: string; scopes: string[] }[]>;
  /** Withdraws everything the account allowed the client; the next sign-in asks again. */
  withdraw(accountId: string, clientId: string): Promise<void>;
  /** Forgets every application the account allowed (a revoking reset: whoever stole the account may have allowed some). */
  forgetAccount(accountId: string): Promise<void>;
}

export function createConsents(db: Db): Consents {
  return {
    async scopesFor(accountId, clientId) {
      const row = await db.selectFrom('consents').select('scopes').where('account_id', '=', accountId).where('client_id', '=', clientId).executeTakeFirst();
      return row?.scopes ?? [];
    },
    async remember(accountId, clientId, scopes) {
      if (!scopes.length) return;
      const list = [...new Set(scopes)];
      // One statement: two sign-ins allowing at once both keep what they added.
      await db
        .insertInto('consents')
        .values({ account_id: accountId, client_id: clientId, scopes: list })
        .onConflict((oc) =>
          oc.columns(['account_id', 'client_id']).doUpdateSet({
            scopes: sql<string[]>`array(select distinct unnest(consents.scopes || excluded.scopes) order by 1)`,
            updated_at: sql<Date>`now()`,
          }),
        )
        .execute();
    },
    async listFor(accountId) {
      const rows = await db.selectFrom('consents').select(['client_id', 'scopes']).where('account_id', '=', accountId).orderBy('client_id').execute();
      return rows.map((r) => ({ clientId: r.client_id, scopes: r.scopes }));
    },
    async withdraw(accountId, clientId) {
      await db.deleteFrom('consents').where('account_id', '=', accountId).where('client_id', '=', clientId).execute();
    },
    async forgetAccount(accountId) {
      await db.deleteFrom('consents').where('account_id', '=', accountId).execute();
    },
  };
}
