// What lets an import skip the schools (and files) it already applied: a fingerprint of each school's staged rows,
// the fingerprint of the last replayable file, and a counter of directory changes made outside the import, so that a
// skip is only taken when nothing but the import has written the directory since (docs/directory-format.md «Speed»).
import { sql, type Kysely } from 'kysely';

const WATCHED = ['schools', 'pupils', 'guardians', 'pupil_guardians'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  // One row: bumped by every statement that writes the directory's tables outside an import (an account merge, an
  // operator, a test). The import's own transactions set `sesame.directory_import` and are not counted.
  await sql`create table directory_generation (id integer primary key check (id = 1), n bigint not null)`.execute(db);
  await sql`insert into directory_generation (id, n) values (1, 0)`.execute(db);
  await sql`
    create function directory_external_change() returns trigger language plpgsql as $$
    begin
      if coalesce(current_setting('sesame.directory_import', true), '') <> 'on' then
        update directory_generation set n = n + 1 where id = 1;
      end if;
      return null;
    end $$`.execute(db);
  for (const table of WATCHED) {
    await sql`
      create trigger ${sql.raw(`${table}_directory_change`)} after insert or update or delete or truncate on ${sql.table(table)}
      for each statement execute function directory_external_change()`.execute(db);
  }
  // Per school: the fingerprint of the staged rows its snapshot was last applied from, and the generation counted
  // when that import started.
  await sql`
    create table directory_school_fingerprints (
      uai text primary key,
      fingerprint text not null,
      generation bigint not null
    )`.execute(db);
  // Per import: the fingerprint of the file's bytes when importing that file again is known to change nothing, the
  // generation when it started, and the summary such a repeat reports.
  await sql`alter table directory_imports add column fingerprint text`.execute(db);
  await sql`alter table directory_imports add column generation bigint`.execute(db);
  await sql`alter table directory_imports add column repeat_summary jsonb`.execute(db);

  // Staging: each row's guardian is written once per import (staging.ts `assignGuardians`). With no index on the
  // columns written and room left on each page, that write stays on the row's page and touches no index (a «HOT»
  // update) instead of adding an entry to every index per row. A new guardian's data row is now found by its line.
  await sql`alter table directory_import_rows add column guardian_last_line integer`.execute(db);
  await sql`drop index if exists directory_import_rows_guardian`.execute(db);
  await sql`alter table directory_import_rows set (fillfactor = 50)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table directory_import_rows reset (fillfactor)`.execute(db);
  await sql`create index if not exists directory_import_rows_guardian on directory_import_rows (import_id, guardian_id)`.execute(db);
  await sql`alter table directory_import_rows drop column if exists guardian_last_line`.execute(db);
  await sql`alter table directory_imports drop column if exists repeat_summary`.execute(db);
  await sql`alter table directory_imports drop column if exists generation`.execute(db);
  await sql`alter table directory_imports drop column if exists fingerprint`.execute(db);
  await sql`drop table if exists directory_school_fingerprints`.execute(db);
  for (const table of WATCHED) await sql`drop trigger if exists ${sql.raw(`${table}_directory_change`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function if exists directory_external_change()`.execute(db);
  await sql`drop table if exists directory_generation`.execute(db);
}
