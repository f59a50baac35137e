// What activation asks of the school directory: the guardians a parent's names and mobile designate (with any
// account already linked), and their current children with school names and birth dates.
import { legalLink } from '../../directory/guardianship.js';
import { NO_NAME_KEY } from '../../directory/name-key.js';
import type { Db } from '../../store/database.js';
import type { AccountState } from '../../store/schema.js';

// The children's queries are shared with the first connection (src/flows/common/children.ts).
export { childrenByIds, childrenOf, type Child } from '../common/children.js';

export interface MatchedGuardian {
  id: string;
  accountId: string | null;
  accountState: AccountState | null;
  identifiant: string | null;
}

/** One query whatever the outcome, so a match and a miss cost the same. */
export async function matchGuardians(db: Db, nameKey: string, mobile: string): Promise<MatchedGuardian[]> {
  const rows = await db
    .selectFrom('guardians as g')
    .leftJoin('accounts as a', 'a.id', 'g.account_id')
    .select(['g.id', 'g.account_id', 'a.state', 'a.identifiant'])
    .where('g.name_key', '=', nameKey)
    // A name without letters has the empty key (name-key.ts): it designates nobody, even next to a known mobile.
    .where('g.name_key', '<>', NO_NAME_KEY)
    .where('g.mobile', '=', mobile)
    .orderBy('g.id')
    .execute();
  return rows.map((r) => ({ id: r.id, accountId: r.account_id, accountState: r.state, identifiant: r.identifiant }));
}
