// Service secrets kept in the database (cookie keys, pairwise salt): made once on first start, shared by instances.
import type { Db } from './database.js';

/** Returns the stored value, creating it with `make` when absent; concurrent first starts agree on one value. */
export async function getOrCreateSecret<T>(db: Db, name: string, make: () => T): Promise<T> {
  await db
    .insertInto('secrets')
    .values({ name, value: JSON.stringify(make()) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value as T;
}
