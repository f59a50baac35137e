// Which children a guardian may be shown: the one definition of «a guardian's children» that claims, letters,
// statistics, activation and «Mes enfants» share, as a condition on a `pupil_guardians` row; and the links a
// parent reported as wrong, which that parent no longer receives in claims.
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

/**
 * False for a link its guardian reported from «Mes enfants» («Je ne suis pas le représentant légal de cet élève»,
 * src/directory/attachment-reports.ts) while the report is open: the reporter stops receiving that child at once.
 * Only that link is hidden — never the child from another guardian — so a false report hides nothing from anyone else.
 */
export function linkNotReported(link = 'pg'): RawBuilder<boolean> {
  return sql<boolean>`not exists (select 1 from attachment_reports ar where ar.guardian_id = ${sql.ref(`${link}.guardian_id`)}
    and ar.pupil_id = ${sql.ref(`${link}.pupil_id`)} and ar.status = 'open')`;
}
