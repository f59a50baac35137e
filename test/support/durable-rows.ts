// What must survive an outage untouched: accounts, identifiants, registered clients, the directory and consents,
// each table as a row count and a checksum of every row; and the audit trail's events, by id. A fault test takes
// these before the outage and after it (on a connection of its own, not through the cut) and compares.
import { sql } from 'kysely';
import type { Db } from '../../src/store/database.js';

const TABLES = ['accounts', 'identifiants', 'schools', 'pupils', 'guardians', 'pupil_guardians', 'consents', 'signing_keys'] as const;

export type Fingerprint = Record<string, { rows: number; checksum: string }>;

async function table(db: Db, from: string, where = sql`true`): Promise<{ rows: number; checksum: string }> {
  const { rows } = await sql<{ rows: string; checksum: string | null }>`
    select count(*) as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as checksum
    from ${sql.table(from)} t where ${where}`.execute(db);
  return { rows: Number(rows[0]!.rows), checksum: rows[0]!.checksum ?? '' };
}

/** Row counts and checksums of the durable tables (clients: the oidc_payloads rows of model Client). */
export async function durableFingerprint(db: Db): Promise<Fingerprint> {
  const result: Fingerprint = {};
  for (const name of TABLES) result[name] = await table(db, name);
  result.clients = await table(db, 'oidc_payloads', sql`model = 'Client'`);
  return result;
}

/** The audit events stored, oldest first: id and kind. */
export async function auditEvents(db: Db): Promise<{ id: string; kind: string }[]> {
  const { rows } = await sql<{ id: string; kind: string }>`select id::text as id, kind from audit_events order by id`.execute(db);
  return rows;
}
