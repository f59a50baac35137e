// Ids for rows created in bulk (a directory import's pupils and guardians): UUIDv7 (RFC 9562), whose first 48 bits
// are a time in milliseconds, so that rows created together get neighbouring keys. A random (v4) key sends each of
// 100 000 inserts to a random page of every index on it (primary keys, the links' keys, the foreign keys checked
// against them); ordered keys fill the right-most pages, which stay in memory. 62 bits stay random.
// Not for accounts: an account's id is the subject (`sub`) public clients see, and would tell them when it was made.
import { randomBytes } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';

// Each id of a batch takes the next of 4 096 counter values (the 12 `rand_a` bits) within a millisecond, then the
// next millisecond: the time runs ahead of the clock by one millisecond per 4 096 ids, as RFC 9562 allows.
const PER_MS = 4096;
let nextMs = 0;

/** `count` UUIDv7, ascending, after every id this process gave before. */
export function orderedUuids(count: number): string[] {
  const start = Math.max(Date.now(), nextMs);
  nextMs = start + Math.ceil(count / PER_MS);
  const random = randomBytes(8 * count).toString('hex');
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i += 1) {
    const time = (start + Math.floor(i / PER_MS)).toString(16).padStart(12, '0');
    const counter = (i % PER_MS).toString(16).padStart(3, '0');
    const r = random.slice(16 * i, 16 * i + 16);
    // Variant bits 10: the first random digit becomes 8–b.
    const variant = (8 | (parseInt(r[0]!, 16) & 3)).toString(16);
    ids[i] = `${time.slice(0, 8)}-${time.slice(8)}-7${counter}-${variant}${r.slice(1, 4)}-${r.slice(4, 16)}`;
  }
  return ids;
}

/**
 * The same in SQL, for ids given by a statement: the UUIDv7 of position `n` (0, 1, 2 … in the order wanted) of a
 * batch stamped `ms` (the statement's clock, in milliseconds); the random part is a v4's, variant bits included.
 */
export function orderedUuidSql(n: RawBuilder<unknown>, ms: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`(lpad(to_hex(${ms} + (${n}) / ${PER_MS}), 12, '0') || '7' || lpad(to_hex((${n}) % ${PER_MS}), 3, '0')
    || substr(replace(gen_random_uuid()::text, '-', ''), 17, 16))::uuid`;
}
