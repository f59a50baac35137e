// The school claims (scopes `scolarite` and `ine`) from the directory as of the last import: a pupil's school,
// level and class; a guardian's children, each with the subject identifier that client knows that child by.
// oidc-provider then releases only the claims of scopes the client was registered for and the person granted.
import type { Account } from '../accounts/accounts.js';
import type { ClaimsContributor } from '../oidc/claims.js';
import type { Db } from '../store/database.js';
import { linkNotReported, linkShowsChild, type GuardianChildren } from './guardianship.js';

/**
 * `1d` (école) when the level code starts with 1, else `2d` (collège, lycée). Our reading of the MEFSTAT4-like
 * codes schools send; a pupil without a level code counts as 2d, where most services that ask live.
 */
export function degreeOf(level: string | null): '1d' | '2d' {
  return level?.startsWith('1') ? '1d' : '2d';
}

interface ChildRow {
  account_id: string;
  given_names: string;
  family_name: string;
  uai: string;
  school_name: string;
  level: string | null;
  class_name: string | null;
  ine: string | null;
  birthdate: string;
}

async function pupilClaims(db: Db, account: Account): Promise<Record<string, unknown>> {
  const pupil = await db
    .selectFrom('pupils')
    .select(['uai', 'level', 'class_name', 'ine'])
    .where('account_id', '=', account.id)
    .where('detached_at', 'is', null)
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  if (!pupil) return {};
  return {
    FrEduCtPersonAffiliation: [`eleve${degreeOf(pupil.level)}`],
    FrEduCtEleveUAI: pupil.uai,
    ...(pupil.level ? { FrEduCtEleveNiveau: pupil.level } : {}),
    ...(pupil.class_name ? { classe: pupil.class_name } : {}),
    ...(pupil.ine ? { ine: pupil.ine } : {}),
  };
}

async function guardianClaims(
  db: Db,
  account: Account,
  subjectFor: (accountId: string) => string,
  policy: GuardianChildren,
): Promise<Record<string, unknown>> {
  // Every pupil the import creates gets an account, so every child has a subject; a pupil row without one (never
  // written by the import) is left out rather than sent without `sub`, which docs/integration.md promises.
  const children = await db
    .selectFrom('guardians as g')
    .innerJoin('pupil_guardians as pg', 'pg.guardian_id', 'g.id')
    .innerJoin('pupils as p', 'p.id', 'pg.pupil_id')
    .innerJoin('schools as s', 's.uai', 'p.uai')
    .select(['p.account_id', 'p.given_names', 'p.family_name', 'p.uai', 's.name as school_name', 'p.level', 'p.class_name', 'p.ine', 'p.birthdate'])
    .distinct()
    .where('g.account_id', '=', account.id)
    .where(linkShowsChild(policy, 'pg'))
    // A link the parent reported as wrong is no longer sent (docs/account-children.md).
    .where(linkNotReported('pg'))
    .where('p.account_id', 'is not', null)
    .where('p.detached_at', 'is', null)
    .orderBy('p.birthdate')
    .orderBy('p.given_names')
    .$narrowType<{ account_id: string }>()
    .execute();
  if (children.length === 0) return {};
  const degrees = [...new Set(children.map((c) => degreeOf(c.level)))].sort();
  const subject = (c: ChildRow) => ({ sub: subjectFor(c.account_id) });
  const withIne = children.filter((c) => c.ine);
  return {
    FrEduCtPersonAffiliation: degrees.map((d) => `resp${d}`),
    enfants: children.map((c) => ({
      ...subject(c),
      given_name: c.given_names,
      family_name: c.family_name,
      FrEduCtEleveUAI: c.uai,
      etablissement: c.school_name,
      ...(c.level ? { FrEduCtEleveNiveau: c.level } : {}),
      ...(c.class_name ? { classe: c.class_name } : {}),
    })),
    ...(withIne.length ? { ine: withIne.map((c) => ({ ...subject(c), ine: c.ine })) } : {}),
  };
}

/** `guardianChildren`: which children a guardian receives (setting `GUARDIAN_CHILDREN`, legal ones by default). */
export function createDirectoryClaims(db: Db, options: { guardianChildren?: GuardianChildren } = {}): ClaimsContributor {
  const policy = options.guardianChildren ?? 'legal';
  return {
    scopes: ['scolarite', 'ine'],
    claims: (account, subjectFor) => (account.kind === 'eleve' ? pupilClaims(db, account) : guardianClaims(db, account, subjectFor, policy)),
  };
}
