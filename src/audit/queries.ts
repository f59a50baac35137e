// Reading the audit trail (admin API, `sesame audit`, «Mon compte») and its retention purge: the only statement
// that ever deletes from audit_events.
import type { Db } from '../store/database.js';

export interface AuditRecord {
  id: string;
  at: string;
  kind: string;
  account_id: string | null;
  client_id: string | null;
  address: string | null;
  outcome: 'success' | 'failure';
  request_id: string | null;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  accountId?: string | undefined;
  /** An exact kind, or a prefix ending in `.` (`signin.`, `admin.`). */
  kind?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit?: number | undefined;
}

export const AUDIT_QUERY_MAX = 1000;
export const AUDIT_QUERY_DEFAULT = 100;

function toRecord(row: { id: string | number | bigint; at: Date | string } & Omit<AuditRecord, 'id' | 'at'>): AuditRecord {
  return { ...row, id: String(row.id), at: new Date(row.at).toISOString() };
}

/** Newest first. */
export async function queryAuditEvents(db: Db, query: AuditQuery): Promise<AuditRecord[]> {
  const limit = Math.min(Math.max(1, query.limit ?? AUDIT_QUERY_DEFAULT), AUDIT_QUERY_MAX);
  let q = db.selectFrom('audit_events').selectAll();
  if (query.accountId) q = q.where('account_id', '=', query.accountId);
  if (query.kind) q = query.kind.endsWith('.') ? q.where('kind', 'like', `${query.kind.replace(/[%_\\]/g, '\\$&')}%`) : q.where('kind', '=', query.kind);
  if (query.since) q = q.where('at', '>=', query.since);
  if (query.until) q = q.where('at', '<', query.until);
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toRecord);
}

export interface SignInRecord {
  at: string;
  outcome: 'success' | 'failure';
  client_id: string | null;
  address: string | null;
  reason: string | null;
}

/** A person's own recent sign-ins and failed attempts on their account, for «Mon compte». */
export async function recentSignIns(db: Db, accountId: string, limit = 10): Promise<SignInRecord[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['at', 'outcome', 'client_id', 'address', 'details'])
    .where('account_id', '=', accountId)
    .where('kind', 'in', ['signin.success', 'signin.failure', 'signin.locked'])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(1, limit), 100))
    .execute();
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    outcome: r.outcome,
    client_id: r.client_id,
    address: r.address,
    reason: typeof r.details?.reason === 'string' ? r.details.reason : null,
  }));
}

/** Deletes events older than the retention; returns how many. */
export async function purgeAuditEvents(db: Db, now: Date, retentionDays: number): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000);
  const result = await db.deleteFrom('audit_events').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
