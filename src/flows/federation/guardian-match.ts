// Which guardian of the directory an upstream identity designates: the school's names folded as activation folds
// them (nameKey), tried with the birth name and the usage name, with all given names and with the first one.
import { nameKey, NO_NAME_KEY } from '../../directory/name-key.js';
import type { Db } from '../../store/database.js';
import type { UpstreamIdentity } from './upstream-client.js';

/** The name keys an upstream identity may have in school data (schools often keep only the first given name). */
export function candidateKeys(identity: Pick<UpstreamIdentity, 'givenName' | 'familyName' | 'usageName'>): string[] {
  const given = identity.givenName.trim();
  const first = given.split(/\s+/)[0] ?? '';
  const families = [identity.familyName, identity.usageName ?? ''];
  const keys = families.flatMap((family) => [nameKey(family, given), nameKey(family, first)]);
  return [...new Set(keys)].filter((k) => k !== NO_NAME_KEY);
}

export interface GuardianMatch {
  guardianIds: string[];
}

/**
 * The guardian rows of one person, or undefined when none match or when the names designate several people
 * (homonyms with different accounts or numbers): birth dates of a stranger's children are never asked for.
 */
export async function matchGuardian(db: Db, keys: string[]): Promise<GuardianMatch | undefined> {
  if (keys.length === 0) return undefined;
  const rows = await db
    .selectFrom('guardians')
    .select(['id', 'account_id', 'mobile'])
    .where('name_key', 'in', keys)
    .orderBy('id')
    .execute();
  if (rows.length === 0) return undefined;
  const people = new Set(rows.map((r) => r.account_id ?? (r.mobile ? `m:${r.mobile}` : `g:${r.id}`)));
  if (people.size !== 1) return undefined;
  return { guardianIds: rows.map((r) => r.id) };
}
