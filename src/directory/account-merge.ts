// «Ajouter des élèves depuis un autre compte»: a parent who holds two accounts (two schools gave different mobiles)
// moves the other account's guardian rows to the account they keep; the other account is disabled. Guardian rows,
// not links, move: the nightly import finds each person's guardian row again (staging.ts) and so keeps the links on
// the surviving account, and never gives the disabled one back (account-states.ts only re-enables accounts an
// import disabled). Ending the other account's sessions is the caller's job (it needs the provider).
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { AccountKind, AccountState } from '../store/schema.js';
import { childrenOfAccount, UUID_PATTERN, type AccountChild } from './account-children.js';
import type { GuardianChildren } from './guardianship.js';
import { nameKey } from './name-key.js';

/** Why two accounts cannot be merged, each said to the person in its own sentence (children-screens.ts). */
export type MergeRefusal = 'same_account' | 'not_parent' | 'disabled' | 'no_children' | 'survivor_unusable' | 'other_person';

export type MergePreview = { ok: true; children: AccountChild[] } | { ok: false; reason: MergeRefusal };
export type MergeOutcome = { ok: true; children: AccountChild[]; guardiansMoved: number } | { ok: false; reason: MergeRefusal };

interface Party {
  id: string;
  kind: AccountKind;
  state: AccountState;
  given_name: string;
  family_name: string;
}

function refusal(survivor: Party | undefined, other: Party | undefined): MergeRefusal | undefined {
  if (!survivor || survivor.kind !== 'responsable' || survivor.state === 'disabled') return 'survivor_unusable';
  if (!other) return 'disabled';
  if (other.id === survivor.id) return 'same_account';
  if (other.kind !== 'responsable') return 'not_parent';
  if (other.state === 'disabled') return 'disabled';
  // Two accounts of one person, never two people: a password obtained by phishing must not let someone take another
  // parent's children (and disable that parent's account). Names compare with the directory's folding.
  if (nameKey(other.family_name, other.given_name) !== nameKey(survivor.family_name, survivor.given_name)) return 'other_person';
  return undefined;
}

export type AccountMerge = ReturnType<typeof createAccountMerge>;

export function createAccountMerge(db: Db, options: { guardianChildren: GuardianChildren }) {
  const policy = options.guardianChildren;
  const parties = async (trx: Db, ids: string[], lock: boolean): Promise<Map<string, Party>> => {
    const valid = ids.filter((id) => UUID_PATTERN.test(id));
    if (valid.length === 0) return new Map();
    // Locked in id order, so two merges of the same pair in opposite directions cannot deadlock.
    let query = trx.selectFrom('accounts').select(['id', 'kind', 'state', 'given_name', 'family_name']).where('id', 'in', valid).orderBy('id');
    if (lock) query = query.forUpdate();
    return new Map((await query.execute()).map((p) => [p.id, p]));
  };

  return {
    /** What a merge would do: the other account's children that would appear on the surviving account. */
    async preview(survivorId: string, otherId: string): Promise<MergePreview> {
      const found = await parties(db, [survivorId, otherId], false);
      const reason = refusal(found.get(survivorId), found.get(otherId));
      if (reason) return { ok: false, reason };
      const children = await childrenOfAccount(db, otherId, policy);
      return children.length ? { ok: true, children } : { ok: false, reason: 'no_children' };
    },

    /** Moves every guardian row of `otherId` to `survivorId` and disables `otherId`, in one transaction. */
    async merge(survivorId: string, otherId: string): Promise<MergeOutcome> {
      return db.transaction().execute(async (trx) => {
        // The import applies a school under this lock and reads guardians' accounts: a merge waits for it, or it for us.
        await sql`select pg_advisory_xact_lock(hashtext('directory-import'))`.execute(trx);
        const found = await parties(trx, [survivorId, otherId], true);
        const reason = refusal(found.get(survivorId), found.get(otherId));
        if (reason) return { ok: false, reason };
        const children = await childrenOfAccount(trx, otherId, policy);
        if (children.length === 0) return { ok: false, reason: 'no_children' };
        const moved = await trx.updateTable('guardians').set({ account_id: survivorId, updated_at: new Date() })
          .where('account_id', '=', otherId).executeTakeFirst();
        // Disabled as an operator would: `disabled_by_import_from` stays null, so no import ever gives it back.
        await trx.updateTable('accounts')
          .set({ state: 'disabled', disabled_by_import_from: null, provisional_password_hash: null, provisional_expires_at: null, updated_at: new Date() })
          .where('id', '=', otherId).execute();
        return { ok: true, children, guardiansMoved: Number(moved.numUpdatedRows) };
      });
    },
  };
}
