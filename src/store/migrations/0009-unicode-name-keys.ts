// Guardians' name keys are now folded by Unicode rules (letters of every script kept): keys written before, where
// a name in Cyrillic, Greek, Arabic or Chinese letters folded to nothing («|»), are computed again. Only names with
// non-ASCII characters can change. The folding is copied here as of this migration (src/directory/name-key.ts):
// a migration must give the same result whatever the code becomes later.
import { sql, type Kysely } from 'kysely';

const LIGATURES: Record<string, string> = { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss', ø: 'o', Ø: 'o', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd', ð: 'd', Ð: 'd', þ: 'th', Þ: 'th' };

function squash(value: string): string {
  if (!/[^\x00-\x7f]/.test(value)) return value.toLowerCase().replace(/[^a-z0-9]/g, '');
  return value
    .replace(/[œŒæÆßøØłŁđĐðÐþÞ]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\p{M}+/gu, '')
    .replace(/ς/g, 'σ')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

function nameKey(family: string, given: string): string {
  const f = squash(family);
  const g = squash(given);
  return f && g ? `${f}|${g}` : '';
}

const BATCH = 1000;

export async function up(db: Kysely<any>): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = (await sql<{ id: string; family_name: string; given_name: string; name_key: string }>`
      select id, family_name, given_name, name_key from guardians
      where id > ${after}::uuid and (family_name || given_name) ~ '[^\\x01-\\x7f]'
      order by id limit ${BATCH}`.execute(db)).rows;
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    const changed = rows.map((r) => ({ id: r.id, key: nameKey(r.family_name, r.given_name), old: r.name_key })).filter((r) => r.key !== r.old);
    if (changed.length === 0) continue;
    await sql`
      update guardians g set name_key = t.key from unnest(${changed.map((r) => r.id)}::uuid[], ${changed.map((r) => r.key)}::text[]) as t(id, key)
      where g.id = t.id`.execute(db);
  }
}

export async function down(): Promise<void> {
  // The new keys are a refinement of the old ones; nothing to undo.
}
