// Parent self-activation flows: one row per flow in progress, keyed by a hash of the random id the browser holds
// in a signed cookie, so a flow survives a restart and can be finished on another instance.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // `state` holds the step, the SMS code's HMAC (never the code), its counters and the children to confirm.
  await sql`
    create table activation_flows (
      id text primary key,
      state jsonb not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index activation_flows_expires_at on activation_flows (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('activation_flows').ifExists().execute();
}
