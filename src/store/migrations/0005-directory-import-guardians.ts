// The import decides each staged row's guardian once per file (an existing one, or a new id for a new person) and
// marks the row that gives that guardian's data, so that the schools' transactions need neither a per-file map in
// memory nor a re-sort of the file per school.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // guardian_new: guardian_id is to be created by the first school that mentions it (nothing matched it).
  await sql`alter table directory_import_rows add column guardian_new boolean`.execute(db);
  // guardian_last: the row is that guardian's last one in the file, which gives the guardian's data.
  await sql`alter table directory_import_rows add column guardian_last boolean`.execute(db);
  // Groups are now found by window functions over the whole file, never looked up by group: an index less to
  // maintain on every staged row and every regrouping.
  await sql`drop index if exists directory_import_rows_group`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists directory_import_rows_group on directory_import_rows (import_id, group_line)`.execute(db);
  await sql`alter table directory_import_rows drop column if exists guardian_last`.execute(db);
  await sql`alter table directory_import_rows drop column if exists guardian_new`.execute(db);
}
