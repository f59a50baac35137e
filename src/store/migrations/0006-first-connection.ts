// First connection with a school letter: flow rows of several kinds share one table (a `kind` column), and the
// email links sent to confirm an address are kept as HMACs, single use, with their expiry.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Existing rows are activation flows; a flow of one kind is never loaded as another.
  await sql`alter table activation_flows add column kind text not null default 'activation'`.execute(db);
  await sql`
    create table email_verifications (
      id text primary key,
      account_id uuid not null references accounts (id) on delete cascade,
      email text not null,
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index email_verifications_account on email_verifications (account_id)`.execute(db);
  await sql`create index email_verifications_expires_at on email_verifications (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_verifications').ifExists().execute();
  await sql`alter table activation_flows drop column if exists kind`.execute(db);
}
