// Accounts, the oidc-provider payloads, signing keys, service secrets and rate-limit counters.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table accounts (
      id uuid primary key,
      kind text not null check (kind in ('responsable', 'eleve')),
      identifiant text not null unique,
      given_name text not null,
      family_name text not null,
      email text,
      email_verified boolean not null default false,
      mobile text,
      mobile_verified boolean not null default false,
      birthdate date,
      password_hash text,
      password_changed_at timestamptz,
      state text not null default 'non_notifie'
        check (state in ('non_notifie', 'notifie', 'en_cours', 'active', 'disabled')),
      origin text not null default 'etablissement'
        check (origin in ('etablissement', 'responsable', 'franceconnect')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  // Every identifiant ever handed out, so that one is never given to somebody else even after its account goes.
  await sql`create table identifiants (identifiant text primary key, created_at timestamptz not null default now())`.execute(db);

  await sql`
    create table oidc_payloads (
      model text not null,
      id text not null,
      payload jsonb not null,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      primary key (model, id)
    )`.execute(db);
  await sql`create index oidc_payloads_grant_id on oidc_payloads (grant_id) where grant_id is not null`.execute(db);
  await sql`create index oidc_payloads_user_code on oidc_payloads (user_code) where user_code is not null`.execute(db);
  await sql`create index oidc_payloads_uid on oidc_payloads (uid) where uid is not null`.execute(db);
  await sql`create index oidc_payloads_expires_at on oidc_payloads (expires_at) where expires_at is not null`.execute(db);

  await sql`
    create table signing_keys (
      kid text primary key,
      alg text not null check (alg in ('RS256', 'ES256')),
      jwk jsonb not null,
      status text not null check (status in ('next', 'current', 'retired')),
      created_at timestamptz not null default now(),
      retired_at timestamptz
    )`.execute(db);

  await sql`create table secrets (name text primary key, value jsonb not null, created_at timestamptz not null default now())`.execute(db);

  await sql`
    create table rate_limits (
      key text primary key,
      points integer not null,
      expires_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['rate_limits', 'secrets', 'signing_keys', 'oidc_payloads', 'identifiants', 'accounts']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
