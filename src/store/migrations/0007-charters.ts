// Usage charters: versioned texts per name, the charter each relying application requires, and who accepted what.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A version is never changed once written: an acceptance always points at the exact text the person read.
  await sql`
    create table charter_versions (
      name text not null,
      version integer not null check (version > 0),
      text text not null,
      created_at timestamptz not null default now(),
      primary key (name, version)
    )`.execute(db);

  // Kept apart from the client metadata on purpose: dynamic registration management rewrites a client's whole
  // metadata, and an application must not be able to drop the charter an operator attached to it.
  await sql`
    create table client_charters (
      client_id text primary key,
      charter_name text not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index client_charters_charter_name on client_charters (charter_name)`.execute(db);

  await sql`
    create table charter_acceptances (
      account_id uuid not null references accounts (id) on delete cascade,
      charter_name text not null,
      version integer not null,
      client_id text not null,
      accepted_at timestamptz not null default now(),
      primary key (account_id, charter_name, version),
      foreign key (charter_name, version) references charter_versions (name, version)
    )`.execute(db);
  await sql`create index charter_acceptances_charter on charter_acceptances (charter_name, version)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('charter_acceptances').ifExists().execute();
  await db.schema.dropTable('client_charters').ifExists().execute();
  await db.schema.dropTable('charter_versions').ifExists().execute();
}
