// Passkeys (WebAuthn credentials) registered from «Mon compte»: one row per credential, several per account. Only
// what verifying a sign-in needs (the public key, its counter, its transports) and what the person sees (a name,
// when it was added and last used); no attestation, no device model (docs/passkeys.md).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table passkeys (
      id uuid primary key default gen_random_uuid(),
      credential_id text not null unique,
      account_id uuid not null references accounts (id) on delete cascade,
      public_key text not null,
      counter bigint not null default 0,
      transports jsonb not null default '[]',
      name text not null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz
    )`.execute(db);
  await sql`create index passkeys_account on passkeys (account_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('passkeys').ifExists().execute();
}
