// oidc-provider reads records one after another, each a round trip on PostgreSQL: a token, then its grant, then its
// account (the token endpoint, refresh, userinfo, introspection); an interaction, then its session and its grant
// (the consent screen, its answer and the resume). The token's or the interaction's own lookup brings those along in
// one statement, and the request's memo (src/request-id.ts) answers the reads that follow. Each companion is read
// with the conditions a separate find would use (unexpired rows), at the same moment as the record that names it; a
// companion not found here is simply read again by its own find.
import { sql, type Compilable } from 'kysely';
import type { AdapterPayload } from 'oidc-provider';
import { PUBLIC_COLUMNS, publicPart } from '../accounts/accounts.js';
import { requestMemo } from '../request-id.js';
import type { Db } from '../store/database.js';
import { precompile } from '../store/precompiled.js';
import { rememberAccount } from './remembered-account.js';

/** The request memo's key for a record read by `column` (sql-adapter.ts keeps its own reads under the same keys). */
export const memoKey = (model: string, column: string, value: string) => `oidc\0${model}\0${column}\0${value}`;

/** Records whose lookup brings companions: those holding a grant (and an account), and the interaction. */
export const WITH_COMPANIONS = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode', 'Interaction']);
/** The models those lookups bring along: a write of theirs waiting in the request is stored before (deferred-writes.ts). */
export const COMPANION_MODELS = ['Grant', 'Session'];

interface StoredRow {
  payload: unknown;
  consumed_at: Date | string | null;
}

/** A stored row as oidc-provider expects it: the payload, with `consumed` when it was. */
export function payloadOf(row: StoredRow): AdapterPayload {
  const payload = row.payload as AdapterPayload;
  return row.consumed_at ? { ...payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : payload;
}

const live = (alias: string) => sql.raw(`(${alias}.expires_at is null or ${alias}.expires_at > now())`);
const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const accountColumns = sql.raw(PUBLIC_COLUMNS.map((c) => `a.${c} as account_${c}`).join(', '));

type Row = StoredRow & {
  grant_id: string | null;
  grant_payload: unknown;
  grant_consumed_at: Date | string | null;
  session_payload?: unknown;
  session_consumed_at?: Date | string | null;
} & Partial<Record<`account_${(typeof PUBLIC_COLUMNS)[number]}`, unknown>>;

export function createCompanionReads(db: Db) {
  const compiled = (query: ReturnType<typeof sql<Row>>): Compilable<Row> => ({ compile: () => query.compile(db) });
  // Each companion is a lateral subquery with `limit 1`: one index lookup with the values of the record found. As
  // plain joins, the planner scanned every grant of the table per lookup while its statistics lagged behind the
  // table's growth (hundreds of rows read per sign-in in the bench).
  // A token: its grant (by the grant_id column) and its account (the payload's accountId, only when it is a uuid, so
  // that the cast cannot fail).
  const token = precompile(db, ['model', 'id'] as const, (v) =>
    compiled(sql<Row>`
      select t.payload, t.consumed_at, g.id as grant_id, g.payload as grant_payload, g.consumed_at as grant_consumed_at, ${accountColumns}
      from oidc_payloads t
      left join lateral (
        select id, payload, consumed_at from oidc_payloads g where g.model = 'Grant' and g.id = t.grant_id and ${live('g')} limit 1
      ) g on true
      left join lateral (
        select ${sql.raw(PUBLIC_COLUMNS.join(', '))} from accounts
        where id = case when t.payload->>'accountId' ~* ${UUID} then (t.payload->>'accountId')::uuid end limit 1
      ) a on true
      where t.model = ${v.model} and t.id = ${v.id} and ${live('t')}`),
  );
  // An interaction: its grant (the payload's grantId) and its session (the payload's session cookie, the session's id).
  const interaction = precompile(db, ['id'] as const, (v) =>
    compiled(sql<Row>`
      select t.payload, t.consumed_at, g.id as grant_id, g.payload as grant_payload, g.consumed_at as grant_consumed_at,
        s.payload as session_payload, s.consumed_at as session_consumed_at
      from oidc_payloads t
      left join lateral (
        select id, payload, consumed_at from oidc_payloads g where g.model = 'Grant' and g.id = t.payload->>'grantId' and ${live('g')} limit 1
      ) g on true
      left join lateral (
        select payload, consumed_at from oidc_payloads s where s.model = 'Session' and s.id = t.payload->'session'->>'cookie' and ${live('s')} limit 1
      ) s on true
      where t.model = 'Interaction' and t.id = ${v.id} and ${live('t')}`),
  );

  /** Finds `model`'s record `id` (one of WITH_COMPANIONS) and leaves its companions in the request's memo. */
  return async function findWithCompanions(model: string, id: string): Promise<AdapterPayload | undefined> {
    const [row] = (model === 'Interaction' ? await interaction({ id }) : await token({ model, id })).rows;
    if (!row) return undefined;
    const memo = requestMemo();
    if (memo) remember(memo, row);
    return payloadOf(row);
  };
}

function remember(memo: Map<string, unknown>, row: Row): void {
  if (row.grant_id && row.grant_payload) {
    memo.set(memoKey('Grant', 'id', row.grant_id), payloadOf({ payload: row.grant_payload, consumed_at: row.grant_consumed_at }));
  }
  if (row.session_payload) {
    const session = payloadOf({ payload: row.session_payload, consumed_at: row.session_consumed_at ?? null });
    if (typeof session.jti === 'string') memo.set(memoKey('Session', 'id', session.jti), session);
    if (typeof session.uid === 'string') memo.set(memoKey('Session', 'uid', session.uid), session);
  }
  if (row.account_id) {
    rememberAccount(publicPart(row, 'account_'));
  }
}
