// Which children a guardian may be shown: the one definition of «a guardian's children» that claims, letters,
// statistics, activation and any future «Mes enfants» share, as a condition on a `pupil_guardians` row.
import { sql, type RawBuilder } from 'kysely';

/**
 * `legal`: only the children the school marks the guardian legally responsible for (`resp_legal`), the default;
 * `all`: every child the school links the guardian to (an académie's choice, setting `GUARDIAN_CHILDREN`).
 */
export type GuardianChildren = 'legal' | 'all';

/**
 * The SQL condition a pupil–guardian link (table alias `link`, `pg` by default) must meet for the guardian to see
 * that child. A step-parent listed `resp_legal=non` for one child therefore receives nothing of that child.
 */
export function linkShowsChild(policy: GuardianChildren, link = 'pg'): RawBuilder<boolean> {
  return policy === 'all' ? sql<boolean>`true` : sql<boolean>`${sql.ref(`${link}.legal`)}`;
}

/** Legal responsibility itself: what proves a parent at activation and what the statistics count, whatever the setting. */
export const legalLink = (link = 'pg'): RawBuilder<boolean> => linkShowsChild('legal', link);
