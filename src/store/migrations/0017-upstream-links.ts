// Links between an upstream identity (FranceConnect-style provider: its issuer and `sub`) and a Sésame account.
// Only the link is kept, never the upstream's names or birth date (docs/federation.md: the link, not the data).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table upstream_links (
      issuer text not null,
      sub text not null,
      account_id uuid not null references accounts (id) on delete cascade,
      created_at timestamptz not null default now(),
      primary key (issuer, sub)
    )`.execute(db);
  // One upstream identity per account and issuer: a second person's identity never joins an account silently.
  await sql`create unique index upstream_links_account on upstream_links (account_id, issuer)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('upstream_links').ifExists().execute();
}
