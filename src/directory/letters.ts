// Notification letters for a school (or one class): who gets one (pupils and their guardians whose accounts are
// not yet notified), with a fresh provisional password each; the accounts move to *notifié et non activé*.
// The PDF is rendered before anything is stored, so a failed rendering never leaves passwords nobody printed.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { AccountKind } from '../store/schema.js';
import { linkShowsChild, type GuardianChildren } from './guardianship.js';
import { commitProvisionalPasswords, draftProvisionalPasswords, type DraftedFrom } from './provisional-passwords.js';

export interface LetterChild {
  givenName: string;
  familyName: string;
  className: string | null;
  schoolName: string;
}

export interface Letter {
  accountId: string;
  kind: AccountKind;
  identifiant: string;
  civilite: string | null;
  givenName: string;
  familyName: string;
  children: LetterChild[];
  password: string;
  expiresAt: Date;
}

export interface LetterRequest {
  uai: string;
  className?: string | undefined;
  /** Also reprint accounts already notified (their previous letter stops working). */
  includeNotified?: boolean | undefined;
  /** Which children a guardian's letter lists (setting `GUARDIAN_CHILDREN`, legal ones by default). */
  guardianChildren?: GuardianChildren | undefined;
}

export class UnknownSchoolError extends Error {}

/** Turns letters into the PDF handed to the school (src/directory/letters-pdf.ts; tests make one that fails). */
export type LettersRenderer = (letters: Letter[], options: { serviceUrl: string; schoolName: string }) => Promise<Buffer>;

export interface PrintedLetters {
  schoolName: string;
  letters: Letter[];
  /** Null when there was nobody to write to. */
  pdf: Buffer | null;
}

interface Target {
  account_id: string;
  kind: AccountKind;
  identifiant: string;
  civilite: string | null;
  given_name: string;
  family_name: string;
  sort_class: string | null;
  state: string;
  provisional_password_hash: string | null;
}

/**
 * Drafts the letters (new passwords and their hashes), renders them, and only once the PDF is whole stores the
 * passwords and state changes in one transaction. A rendering failure, or an account changed meanwhile
 * (ProvisionalConflictError), changes nothing.
 */
export async function printLetters(db: Db, request: LetterRequest, render: LettersRenderer, options: { serviceUrl: string; now?: Date }): Promise<PrintedLetters> {
  const { schoolName, letters, drafts } = await draftLetters(db, request, options.now);
  if (letters.length === 0) return { schoolName, letters, pdf: null };
  const pdf = await render(letters, { serviceUrl: options.serviceUrl, schoolName });
  await commitProvisionalPasswords(db, drafts);
  return { schoolName, letters, pdf };
}

/** Who gets a letter and with which new password; nothing is stored. */
async function draftLetters(db: Db, request: LetterRequest, now = new Date()) {
  const school = await db.selectFrom('schools').select('name').where('uai', '=', request.uai).executeTakeFirst();
  if (!school) throw new UnknownSchoolError(request.uai);
  const states = request.includeNotified ? ['non_notifie', 'notifie'] : ['non_notifie'];
  const classFilter = request.className ? sql`and p.class_name = ${request.className}` : sql``;
  // One letter per account, ordered by class then name so that a teacher can hand them out in order.
  const targets = (await sql<Target>`
    with pupils_in as (
      select p.id, p.account_id, p.class_name from pupils p
      where p.uai = ${request.uai} and p.detached_at is null ${classFilter}
    ), accounts_in as (
      select pi.account_id, min(pi.class_name) as sort_class, null::text as civilite from pupils_in pi where pi.account_id is not null group by pi.account_id
      union all
      select g.account_id, min(pi.class_name), min(g.civilite) from pupils_in pi
        join pupil_guardians pg on pg.pupil_id = pi.id join guardians g on g.id = pg.guardian_id
      where g.account_id is not null group by g.account_id
    )
    select distinct on (a.id) a.id as account_id, a.kind, a.identifiant, ai.civilite, a.given_name, a.family_name, ai.sort_class,
      a.state, a.provisional_password_hash
    from accounts_in ai join accounts a on a.id = ai.account_id
    where a.state = any(${states}::text[])
    order by a.id`.execute(db)).rows;
  targets.sort((x, y) => (x.sort_class ?? '').localeCompare(y.sort_class ?? '', 'fr') || x.family_name.localeCompare(y.family_name, 'fr') || x.kind.localeCompare(y.kind) || x.given_name.localeCompare(y.given_name, 'fr'));
  if (targets.length === 0) return { schoolName: school.name, letters: [] as Letter[], drafts: [] };

  const ids = targets.map((t) => t.account_id);
  // Each letter names the children it covers: a guardian's children (all schools), a pupil themselves.
  const children = (await sql<LetterChild & { account_id: string }>`
    select g.account_id, p.given_names as "givenName", p.family_name as "familyName", p.class_name as "className", s.name as "schoolName"
    from guardians g join pupil_guardians pg on pg.guardian_id = g.id join pupils p on p.id = pg.pupil_id join schools s on s.uai = p.uai
    where g.account_id = any(${ids}::uuid[]) and p.detached_at is null and ${linkShowsChild(request.guardianChildren ?? 'legal', 'pg')}
    union
    select p.account_id, p.given_names, p.family_name, p.class_name, s.name
    from pupils p join schools s on s.uai = p.uai
    where p.account_id = any(${ids}::uuid[]) and p.detached_at is null
    order by 1, 3, 2`.execute(db)).rows;
  const childrenOf = new Map<string, LetterChild[]>();
  for (const { account_id, ...child } of children) childrenOf.set(account_id, [...(childrenOf.get(account_id) ?? []), child]);

  const issued = await draftProvisionalPasswords(ids, now);
  const from = (t: Target): DraftedFrom => ({ state: t.state, provisionalHash: t.provisional_password_hash });
  return {
    schoolName: school.name,
    drafts: issued.map((d, i) => ({ ...d, from: from(targets[i]!) })),
    letters: targets.map((t, i) => ({
      accountId: t.account_id,
      kind: t.kind,
      identifiant: t.identifiant,
      civilite: t.civilite,
      givenName: t.given_name,
      familyName: t.family_name,
      children: childrenOf.get(t.account_id) ?? [],
      password: issued[i]!.password,
      expiresAt: issued[i]!.expiresAt,
    })),
  };
}
