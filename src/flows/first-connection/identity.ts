// Whom the identity step asks about: a pupil their own date of birth (field `birthdate`), a parent each current
// child they are legally responsible for (fields `birthdate_1…`), with the dates the school gave.
import type { Db } from '../../store/database.js';
import { childrenByIds, childrenOf, type Child } from '../common/children.js';
import { accountPasswordContext } from '../common/password-context.js';
import type { FlowState } from './flow.js';

export interface IdentityQuestion {
  field: string;
  /** For a parent, the child (named on screen); absent for a pupil's own date. */
  child?: Child;
  expected: string;
}

/** The children to confirm, decided once when the identity step begins (their order is the fields' order). */
export async function childrenToConfirm(db: Db, accountId: string): Promise<string[]> {
  const guardians = await db.selectFrom('guardians').select('id').where('account_id', '=', accountId).execute();
  return (await childrenOf(db, guardians.map((g) => g.id))).map((c) => c.id);
}

/** The questions for this flow; empty when the school gave nothing to confirm (the journey cannot go on). */
export async function identityQuestions(db: Db, state: FlowState): Promise<IdentityQuestion[]> {
  if (state.kind === 'responsable') {
    const children = await childrenByIds(db, state.childIds);
    if (children.length !== state.childIds.length) return [];
    return children.map((child, i) => ({ field: `birthdate_${i + 1}`, child, expected: child.birthdate }));
  }
  // The directory's pupil row is the reference (a school's fix arrives with the next import); the account's copy
  // serves when the pupil is not (or no longer) in a school.
  const pupil = await db.selectFrom('pupils').select('birthdate').where('account_id', '=', state.accountId)
    .orderBy('detached_at', 'desc').executeTakeFirst();
  const account = await db.selectFrom('accounts').select('birthdate').where('id', '=', state.accountId).executeTakeFirst();
  const expected = pupil?.birthdate ?? account?.birthdate ?? null;
  return expected ? [{ field: 'birthdate', expected: String(expected).slice(0, 10) }] : [];
}

/** Names and dates the new password must not contain: the account's (common/password-context.ts), and for a pupil
 * the birth date the school holds (the one the identity questions asked). */
export async function passwordContext(db: Db, state: FlowState) {
  const context = await accountPasswordContext(db, state.accountId);
  const questions = state.kind === 'eleve' ? await identityQuestions(db, state) : [];
  return { ...context, identifiant: state.identifiant, birthdates: [...context.birthdates, ...questions.map((q) => q.expected)] };
}
