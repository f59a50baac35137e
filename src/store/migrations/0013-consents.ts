// Consents a person gave to a third-party application, remembered per account and client so that a new browser
// session does not ask again; kept apart from oidc-provider's grants, which expire and end with a logout.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table consents (
      account_id uuid not null references accounts (id) on delete cascade,
      client_id text not null,
      scopes text[] not null,
      updated_at timestamptz not null default now(),
      primary key (account_id, client_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('consents').ifExists().execute();
}
