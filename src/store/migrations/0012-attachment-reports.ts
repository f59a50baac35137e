// Reports a parent makes from «Mes enfants» that they are not the legal guardian of a child the school linked them
// to: one open report per link (guardian row and pupil), kept for the school to read (admin API, `sesame reports`).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table attachment_reports (
      id uuid primary key,
      account_id uuid not null references accounts (id) on delete cascade,
      guardian_id uuid not null references guardians (id) on delete cascade,
      pupil_id uuid not null references pupils (id) on delete cascade,
      uai text not null,
      created_at timestamptz not null default now(),
      status text not null default 'open' check (status in ('open', 'closed'))
    )`.execute(db);
  // A second report of the same link is the same report: the unique index makes «report» idempotent under races.
  await sql`create unique index attachment_reports_open_link on attachment_reports (guardian_id, pupil_id) where status = 'open'`.execute(db);
  await sql`create index attachment_reports_uai on attachment_reports (uai, created_at)`.execute(db);
  await sql`create index attachment_reports_account on attachment_reports (account_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attachment_reports').ifExists().execute();
}
