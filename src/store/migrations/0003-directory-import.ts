// What the directory import and the schools' letters need on top of 0002: a staging table the import streams rows
// into (so that a file is read whole before anything is applied), provisional passwords, and the lookups they use.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per import: when it ran and what it did (the summary), and which staging rows are abandoned.
  await sql`
    create table directory_imports (
      id uuid primary key,
      started_at timestamptz not null default now(),
      finished_at timestamptz,
      summary jsonb
    )`.execute(db);

  // Scratch rows of imports in progress, one per valid CSV row; emptied at the end of each import. Unlogged on
  // PostgreSQL: it is rebuilt from the file after a crash anyway, and skipping the WAL halves the load time.
  await sql`
    create unlogged table directory_import_rows (
      import_id uuid not null,
      line integer not null,
      uai text not null,
      school_name text,
      local_id text not null,
      pupil_ok boolean not null,
      ine text,
      family_name text,
      given_names text,
      birthdate date,
      level text,
      class_name text,
      guardian_state text not null check (guardian_state in ('ok', 'none', 'rejected')),
      civilite text,
      resp_family_name text,
      resp_given_name text,
      resp_name_key text,
      resp_mobile text,
      resp_email text,
      relation text,
      legal boolean,
      group_line integer,
      guardian_id uuid,
      primary key (import_id, line)
    )`.execute(db);
  await sql`create index directory_import_rows_school on directory_import_rows (import_id, uai)`.execute(db);
  await sql`create index directory_import_rows_group on directory_import_rows (import_id, group_line)`.execute(db);
  await sql`create index directory_import_rows_guardian on directory_import_rows (import_id, guardian_id)`.execute(db);

  // A provisional password handed out on a school's letter (or by a reset): its hash and when it stops working.
  await sql`alter table accounts add column provisional_password_hash text`.execute(db);
  await sql`alter table accounts add column provisional_expires_at timestamptz`.execute(db);
  // The state an account had when an import disabled it for lack of any link, so that a pupil or guardian who
  // comes back in a later import gets it back (an account an operator disabled is left alone).
  await sql`alter table accounts add column disabled_by_import_from text`.execute(db);

  // Prefix searches (`jean.dupont%`) for homonym numbers, whatever the database collation.
  await sql`create index identifiants_prefix on identifiants (identifiant text_pattern_ops)`.execute(db);
  // A pupil who changes school keeps their account: the new school's row is matched by INE.
  await sql`create index pupils_ine on pupils (ine) where ine is not null`.execute(db);
  await sql`create index pupils_uai_class on pupils (uai, class_name)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists pupils_uai_class`.execute(db);
  await sql`drop index if exists pupils_ine`.execute(db);
  await sql`drop index if exists identifiants_prefix`.execute(db);
  await sql`alter table accounts drop column if exists disabled_by_import_from`.execute(db);
  await sql`alter table accounts drop column if exists provisional_expires_at`.execute(db);
  await sql`alter table accounts drop column if exists provisional_password_hash`.execute(db);
  await db.schema.dropTable('directory_import_rows').ifExists().execute();
  await db.schema.dropTable('directory_imports').ifExists().execute();
}
