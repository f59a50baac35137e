// The upstream_links table (migration 0017): which account an upstream identity (issuer, sub) signs in to. Only the
// link is kept; the upstream's names and birth date are used once, to match, and never stored.
import type { Db } from '../../store/database.js';

/** The account an upstream identity is linked to, when that account may still sign in. */
export async function linkedAccount(db: Db, issuer: string, sub: string): Promise<{ accountId: string; state: string } | undefined> {
  const row = await db
    .selectFrom('upstream_links as l')
    .innerJoin('accounts as a', 'a.id', 'l.account_id')
    .select(['a.id', 'a.state'])
    .where('l.issuer', '=', issuer)
    .where('l.sub', '=', sub)
    .executeTakeFirst();
  return row ? { accountId: row.id, state: row.state } : undefined;
}

/**
 * Links inside the caller's transaction. False when the account already has another identity of this issuer, or
 * this identity another account (a concurrent confirmation): nothing is changed then.
 */
export async function addLink(trx: Db, link: { issuer: string; sub: string; accountId: string }): Promise<boolean> {
  const inserted = await trx
    .insertInto('upstream_links')
    .values({ issuer: link.issuer, sub: link.sub, account_id: link.accountId })
    .onConflict((oc) => oc.doNothing())
    .returning('account_id')
    .executeTakeFirst();
  if (inserted) return true;
  const existing = await trx
    .selectFrom('upstream_links')
    .select('account_id')
    .where('issuer', '=', link.issuer)
    .where('sub', '=', link.sub)
    .executeTakeFirst();
  return existing?.account_id === link.accountId;
}
