// The audit trail (docs/audit.md): security events, append-only. A trigger refuses every UPDATE, so not even a bug
// in our code can rewrite what happened; rows leave only through the retention purge (src/audit/queries.ts).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table audit_events (
      id bigint generated always as identity primary key,
      at timestamptz not null,
      kind text not null,
      account_id text,
      client_id text,
      address text,
      outcome text not null check (outcome in ('success', 'failure')),
      request_id text,
      details jsonb not null default '{}'::jsonb
    )`.execute(db);
  await sql`create index audit_events_account on audit_events (account_id, at desc) where account_id is not null`.execute(db);
  await sql`create index audit_events_at on audit_events (at)`.execute(db);
  await sql`create index audit_events_kind on audit_events (kind, at desc)`.execute(db);
  await sql`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_events_no_update before update on audit_events
    for each row execute function audit_events_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').ifExists().execute();
  await sql`drop function if exists audit_events_append_only()`.execute(db);
}
