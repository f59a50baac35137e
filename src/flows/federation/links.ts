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

/** The account's link to `issuer`, with whether the account has a password (its other way in). */
export async function linkOf(db: Db, accountId: string, issuer: string): Promise<{ createdAt: Date; hasPassword: boolean } | undefined> {
  const row = await db
    .selectFrom('upstream_links as l')
    .innerJoin('accounts as a', 'a.id', 'l.account_id')
    .select(['l.created_at', 'a.password_hash'])
    .where('l.account_id', '=', accountId)
    .where('l.issuer', '=', issuer)
    .executeTakeFirst();
  return row ? { createdAt: row.created_at, hasPassword: row.password_hash !== null } : undefined;
}

/**
 * Removes the link, only when the account keeps a way in: a password. The account row is locked so that a password
 * removal (a revoking reset) cannot run between the check and the delete.
 */
export async function removeLink(db: Db, accountId: string, issuer: string): Promise<'removed' | 'no_password' | 'none'> {
  return db.transaction().execute(async (trx) => {
    const account = await trx.selectFrom('accounts').select('password_hash').where('id', '=', accountId).forUpdate().executeTakeFirst();
    if (!account) return 'none';
    if (account.password_hash === null) return 'no_password';
    const deleted = await trx.deleteFrom('upstream_links').where('account_id', '=', accountId).where('issuer', '=', issuer).executeTakeFirst();
    return deleted.numDeletedRows > 0n ? 'removed' : 'none';
  });
}
