// The school directory: schools, pupils, guardians (one row per person across schools) and their links.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table schools (
      uai text primary key,
      name text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table pupils (
      id uuid primary key,
      uai text not null references schools (uai),
      local_id text not null,
      ine text,
      family_name text not null,
      given_names text not null,
      birthdate date not null,
      level text,
      class_name text,
      account_id uuid references accounts (id),
      detached_at timestamptz,
      updated_at timestamptz not null default now(),
      unique (uai, local_id)
    )`.execute(db);
  await sql`create index pupils_account_id on pupils (account_id)`.execute(db);

  // name_key folds case, accents, spaces, hyphens and apostrophes so that «LE GOFF-NGUYEN» meets «Le Goff Nguyễn».
  await sql`
    create table guardians (
      id uuid primary key,
      civilite text,
      family_name text not null,
      given_name text not null,
      name_key text not null,
      mobile text,
      email text,
      account_id uuid references accounts (id),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index guardians_name_mobile on guardians (name_key, mobile)`.execute(db);
  await sql`create index guardians_name_email on guardians (name_key, lower(email))`.execute(db);
  await sql`create index guardians_mobile on guardians (mobile)`.execute(db);
  await sql`create index guardians_account_id on guardians (account_id)`.execute(db);

  await sql`
    create table pupil_guardians (
      pupil_id uuid not null references pupils (id) on delete cascade,
      guardian_id uuid not null references guardians (id) on delete cascade,
      relation text,
      legal boolean not null default true,
      primary key (pupil_id, guardian_id)
    )`.execute(db);
  await sql`create index pupil_guardians_guardian on pupil_guardians (guardian_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['pupil_guardians', 'guardians', 'pupils', 'schools']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
