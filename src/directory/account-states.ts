// Account states the import keeps in step with the directory: an account nothing links to a present pupil any more
// is disabled (never deleted), and gets its former state back when a later import links it again.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { ImportCounts } from './import-summary.js';

/** Disables the given accounts that nothing links any more; gives back those an import disabled that are linked again. */
export async function syncAccountStates(trx: Db, accountIds: string[], counts: ImportCounts): Promise<void> {
  if (accountIds.length === 0) return;
  // Which of these accounts still reach a pupil present in a school, computed for these accounts only.
  const linked = sql`(
    select p.account_id from pupils p where p.account_id = any(${accountIds}::uuid[]) and p.detached_at is null
    union
    select g.account_id from guardians g join pupil_guardians pg on pg.guardian_id = g.id join pupils p on p.id = pg.pupil_id
    where g.account_id = any(${accountIds}::uuid[]) and p.detached_at is null)`;
  const disabled = await sql`
    update accounts a set disabled_by_import_from = a.state, state = 'disabled', updated_at = now()
    where a.id = any(${accountIds}::uuid[]) and a.state <> 'disabled' and a.id not in ${linked}`.execute(trx);
  const enabled = await sql`
    update accounts a set state = a.disabled_by_import_from, disabled_by_import_from = null, updated_at = now()
    where a.id = any(${accountIds}::uuid[]) and a.state = 'disabled' and a.disabled_by_import_from is not null and a.id in ${linked}`.execute(trx);
  counts.accounts.disabled += Number(disabled.numAffectedRows ?? 0);
  counts.accounts.enabled += Number(enabled.numAffectedRows ?? 0);
}
