// Builds identifiants (`prenom.nom`, or `p.nom`) from names and allocates them: unique, never reused, the smallest
// free number from 2 upward appended for homonyms. Allocation takes a per-name advisory lock inside the caller's
// transaction, so concurrent creations of one name queue instead of racing.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { transliterate } from './fold.js';

export type IdentifierStyle = 'prenom.nom' | 'p.nom';

/** Longest name part kept, so identifiants stay short enough to type on a phone. */
export const NAME_PART_MAX = 20;

/**
 * Lower-case ASCII letters: accents folded, ligatures expanded, other scripts transliterated (Иван → ivan, 王 → wang),
 * apostrophes, spaces and digits removed, hyphens kept.
 */
export function foldNamePart(name: string): string {
  const folded = transliterate(name)
    .replace(/[\s'’‘`´.]+/g, '')
    .replace(/[_‐‑–—]+/g, '-')
    // No digits: names have none, and a base ending in a digit could collide with another name's homonym number
    // («nom1» + 2 = «nom12»).
    .replace(/[^a-z-]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return folded.slice(0, NAME_PART_MAX).replace(/-+$/, '');
}

/**
 * The identifiant before any homonym number. Compound given names keep only the first ("Jean-Pierre" stays whole).
 * A part with nothing to transliterate (no letter at all) becomes `x`: identifiants must be ASCII, and homonym
 * numbers keep such accounts apart.
 */
export function baseIdentifiant(givenName: string, familyName: string, style: IdentifierStyle): string {
  const firstGiven = givenName.trim().split(/[\s,]+/)[0] ?? '';
  const given = foldNamePart(firstGiven) || 'x';
  const family = foldNamePart(familyName) || 'x';
  return style === 'p.nom' ? `${given[0]}.${family}` : `${given}.${family}`;
}

/**
 * Reserves and returns a free identifiant for these names. Must run inside a transaction (`trx`): the advisory
 * lock is released at its end, once the identifiant row is committed.
 */
export async function allocateIdentifiant(trx: Db, givenName: string, familyName: string, style: IdentifierStyle): Promise<string> {
  const base = baseIdentifiant(givenName, familyName, style);
  await sql`select pg_advisory_xact_lock(hashtext(${`identifiant:${base}`}))`.execute(trx);
  const taken = await trx
    .selectFrom('identifiants')
    .select('identifiant')
    .where('identifiant', 'like', `${base}%`)
    .execute();
  const used = new Set<number>();
  for (const { identifiant } of taken) {
    if (identifiant === base) used.add(1);
    const rest = identifiant.slice(base.length);
    if (/^[1-9][0-9]*$/.test(rest)) used.add(Number(rest));
  }
  let n = 1;
  while (used.has(n)) n += 1;
  const identifiant = n === 1 ? base : `${base}${n}`;
  await trx.insertInto('identifiants').values({ identifiant }).execute();
  return identifiant;
}

/** The homonym numbers already used for `base` among `taken` (1 stands for the bare base). */
function usedNumbers(base: string, taken: Iterable<string>): Set<number> {
  const used = new Set<number>();
  for (const identifiant of taken) {
    if (identifiant === base) used.add(1);
    else if (identifiant.startsWith(base) && /^[1-9][0-9]*$/.test(identifiant.slice(base.length))) used.add(Number(identifiant.slice(base.length)));
  }
  return used;
}

/**
 * Allocates one identifiant per entry, in order, for a bulk import: the same rules as `allocateIdentifiant`, with
 * a handful of statements whatever the count. Takes the same per-name advisory locks (sorted, so two bulk
 * allocations cannot deadlock), so it stays correct next to single creations. Must run inside a transaction.
 */
export async function allocateIdentifiants(
  trx: Db,
  names: ReadonlyArray<{ givenName: string; familyName: string }>,
  style: IdentifierStyle,
): Promise<string[]> {
  if (names.length === 0) return [];
  const bases = names.map((n) => baseIdentifiant(n.givenName, n.familyName, style));
  const distinct = [...new Set(bases)].sort();
  await sql`select count(pg_advisory_xact_lock(hashtext('identifiant:' || b))) from (select b from unnest(${distinct}::text[]) as b order by b) as sorted`.execute(trx);
  // The base itself, and (`~>=~`/`~<~` compare bytewise and use the text_pattern_ops index) every identifiant made
  // of the base and digits: not the longer names that merely start with it (`jean.martin-dupont` for `jean.martin`).
  // Probed base by base (lateral): a join would let the planner hash the whole table once per batch.
  const taken = await sql<{ base: string; identifiant: string }>`
    select b as base, x.identifiant from unnest(${distinct}::text[]) as b
    cross join lateral (
      select identifiant from identifiants where identifiant = b
      union all
      select identifiant from identifiants where identifiant ~>=~ (b || '0') and identifiant ~<~ (b || ':')
    ) as x`.execute(trx);
  const byBase = new Map<string, string[]>();
  for (const row of taken.rows) {
    const list = byBase.get(row.base) ?? [];
    list.push(row.identifiant);
    byBase.set(row.base, list);
  }
  const used = new Map(distinct.map((b) => [b, usedNumbers(b, byBase.get(b) ?? [])]));
  // Everything taken or handed out in this batch, whatever its base: a second safety net besides digit-free bases.
  const occupied = new Set(taken.rows.map((r) => r.identifiant));
  const allocated = bases.map((base) => {
    const numbers = used.get(base)!;
    let n = 1;
    while (numbers.has(n) || occupied.has(n === 1 ? base : `${base}${n}`)) n += 1;
    numbers.add(n);
    const identifiant = n === 1 ? base : `${base}${n}`;
    occupied.add(identifiant);
    return identifiant;
  });
  await sql`insert into identifiants (identifiant) select unnest(${allocated}::text[])`.execute(trx);
  return allocated;
}
