// Finds an account's OIDC sessions and grants without scanning every payload, so that ending all of an account's
// sessions (password reset with --revoke, recovery, password change) costs one index lookup per model.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index oidc_payloads_account on oidc_payloads ((payload->>'accountId'))
    where model in ('Session', 'Grant')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists oidc_payloads_account`.execute(db);
}
