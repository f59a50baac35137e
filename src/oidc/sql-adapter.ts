// oidc-provider's storage contract over SQL: one table for every model, indexed by grant, uid and user code.
// Expired rows are never returned and are purged periodically (see purgeExpired).
import { sql, type ExpressionBuilder } from 'kysely';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Db } from '../store/database.js';
import type { Database } from '../store/schema.js';
import type { AccountRecordIndex } from './account-sessions.js';
import { requestMemo } from '../request-id.js';
import { precompile } from '../store/precompiled.js';
import { createCompanionReads, COMPANION_MODELS, memoKey, payloadOf, WITH_COMPANIONS } from './sql-companion-reads.js';
import { deferWrite, storeWritesBeforeReading, type DeferredWrite } from './deferred-writes.js';

const GRANTABLE = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest',
]);

// PostgreSQL (and PGlite) text cannot hold a NUL character and jsonb refuses the \u0000 escape: a NUL sent in a
// request parameter (client_id, code, state, nonce…) would otherwise end as a database error, a 500. Such a value
// names nothing we store, and a request carrying one is malformed.
const hasNul = (value: string) => value.includes('\u0000');
/** A NUL escaped by JSON.stringify (`\u0000` not preceded by an escaping backslash: typed text `\u0000` is fine). */
const JSON_NUL = /(?<!\\)(?:\\\\)*\\u0000/;
/** A lone surrogate, which JSON.stringify escapes (`\ud800`; a valid pair stays raw): jsonb refuses it too. */
const JSON_LONE_SURROGATE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

/**
 * oidc-provider looks its client up on every request of a sign-in (seven times per flow). Clients change rarely,
 * so found clients are kept for a few seconds; a change made through this adapter (registration management, the
 * admin API) is seen at once here, and by other instances within CLIENT_CACHE_MS.
 */
const CLIENT_CACHE_MS = 5000;

/**
 * A pushed authorization request (PAR) is single use: oidc-provider only marks it consumed once a code is issued,
 * so the same request_uri could start any number of sign-ins until then. Looking it up takes it (find deletes),
 * so a second use finds nothing and gets invalid_request_uri.
 */
export const PUSHED_REQUEST = 'PushedAuthorizationRequest';

/**
 * Within one HTTP request, oidc-provider reads the same record again (our screen loads the interaction, then
 * `interactionResult` finds it once more), or reads what an earlier lookup brought along (sql-companion-reads.ts):
 * those reads come from the request's memo (src/request-id.ts), never from another request's. Any write to a model
 * forgets what the request read of that model.
 */

function forgetModel(model?: string): void {
  const memo = requestMemo();
  if (!memo) return;
  const prefix = model === undefined ? 'oidc\0' : `oidc\0${model}\0`;
  for (const key of memo.keys()) if (key.startsWith(prefix)) memo.delete(key);
}

/**
 * Writes that may wait in the request's batch (deferred-writes.ts). At once: clients (read outside this adapter
 * too: src/oidc/clients.ts, the admin API), pushed requests (taken by their lookup), replay markers (a DPoP proof's
 * or client assertion's jti must be seen by a concurrent request at once), and every destruction but a session's:
 * the resume destroys its interaction before going on, as without a batch, and a revoked grant is gone before the
 * answer says so. A session destroyed at sign-in is replaced by a new one in the same batch.
 */
const NEVER_WAIT = new Set(['Client', PUSHED_REQUEST, 'ReplayDetection']);
const mayWait = (model: string, kind: 'upsert' | 'destroy') => !NEVER_WAIT.has(model) && (kind === 'upsert' || model === 'Session');

const unexpired = (eb: ExpressionBuilder<Database, 'oidc_payloads'>) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]);

/**
 * The adapter's statements, compiled once (src/store/precompiled.ts): they are most of a sign-in's statements, and
 * building each with Kysely every time cost more CPU than sending it.
 */
function adapterStatements(db: Db) {
  const upsert = precompile(db, ['model', 'id', 'payload', 'grant_id', 'user_code', 'uid', 'expires_at'] as const, (v) =>
    db
      .insertInto('oidc_payloads')
      .values({ ...v, consumed_at: null })
      .onConflict((oc) =>
        oc.columns(['model', 'id']).doUpdateSet({ payload: v.payload, grant_id: v.grant_id, user_code: v.user_code, uid: v.uid, expires_at: v.expires_at }),
      ),
  );
  const findBy = (column: 'id' | 'uid' | 'user_code') =>
    precompile(db, ['model', 'value'] as const, (v) =>
      db.selectFrom('oidc_payloads').select(['payload', 'consumed_at']).where('model', '=', v.model).where(column, '=', v.value).where(unexpired),
    );
  return {
    upsert,
    find: { id: findBy('id'), uid: findBy('uid'), user_code: findBy('user_code') },
    take: precompile(db, ['model', 'id'] as const, (v) =>
      db.deleteFrom('oidc_payloads').where('model', '=', v.model).where('id', '=', v.id).where(unexpired).returning(['payload', 'consumed_at']),
    ),
    consume: precompile(db, ['model', 'id'] as const, (v) =>
      db.updateTable('oidc_payloads').set({ consumed_at: sql<Date>`now()` }).where('model', '=', v.model).where('id', '=', v.id),
    ),
    destroy: precompile(db, ['model', 'id'] as const, (v) => db.deleteFrom('oidc_payloads').where('model', '=', v.model).where('id', '=', v.id)),
    // Many records' upserts and destructions in one statement: each record appears once (deferred-writes.ts), so no
    // row is touched twice.
    writeAll: precompile(db, ['writes'] as const, (v) => ({
      compile: () =>
        sql`
          with writes as (
            select * from jsonb_to_recordset(${v.writes}::jsonb)
              as w(kind text, model text, id text, payload text, grant_id text, user_code text, uid text, expires_at timestamptz)
          ), destroyed as (
            delete from oidc_payloads p using writes w where w.kind = 'destroy' and p.model = w.model and p.id = w.id
          )
          insert into oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
          select model, id, payload::jsonb, grant_id, user_code, uid, expires_at, null from writes where kind = 'upsert'
          on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
            user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`.compile(db),
    })),
  };
}

export function createSqlAdapter(db: Db): new (model: string) => Adapter {
  const clients = new Map<string, { payload: AdapterPayload; until: number }>();
  const statements = adapterStatements(db);
  const findWithCompanions = createCompanionReads(db);
  const writeAll = async (writes: DeferredWrite[]) => void (await statements.writeAll({ writes: JSON.stringify(writes) }));
  return class SqlAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const json = JSON.stringify(payload);
      if (hasNul(id) || JSON_NUL.test(json) || JSON_LONE_SURROGATE.test(json) || !id.isWellFormed()) {
        throw new errors.InvalidRequest('request parameters must not contain NUL characters or lone surrogates');
      }
      if (this.model === 'Client') clients.delete(id);
      forgetModel(this.model);
      const row = {
        model: this.model,
        id,
        grant_id: GRANTABLE.has(this.model) ? (payload.grantId ?? null) : null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      if (mayWait(this.model, 'upsert') && (await deferWrite({ kind: 'upsert', ...row, payload: json, expires_at: row.expires_at?.toISOString() ?? null }, writeAll))) return;
      await storeWritesBeforeReading([this.model]);
      await statements.upsert({ ...row, payload: json });
    }

    private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      if (hasNul(value)) return undefined;
      const memo = requestMemo();
      const key = memoKey(this.model, column, value);
      // A copy each time: oidc-provider builds its models from the payload and may change them.
      if (memo?.has(key)) return structuredClone(memo.get(key) as AdapterPayload);
      const companions = column === 'id' && WITH_COMPANIONS.has(this.model);
      await storeWritesBeforeReading(companions ? [this.model, ...COMPANION_MODELS] : [this.model]);
      const found = companions ? await findWithCompanions(this.model, value) : await this.query(column, value);
      if (found && memo) memo.set(key, structuredClone(found));
      return found;
    }

    private async query(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const [row] = (await statements.find[column]({ model: this.model, value })).rows;
      return row ? payloadOf(row) : undefined;
    }

    async find(id: string) {
      if (this.model === PUSHED_REQUEST) return this.take(id);
      if (this.model !== 'Client') return this.findWhere('id', id);
      const cached = clients.get(id);
      if (cached && cached.until > Date.now()) return cached.payload;
      const payload = await this.findWhere('id', id);
      if (payload) clients.set(id, { payload, until: Date.now() + CLIENT_CACHE_MS });
      else clients.delete(id);
      return payload;
    }

    /** Finds and deletes in one statement: of two concurrent uses, only one gets the record. */
    private async take(id: string): Promise<AdapterPayload | undefined> {
      if (hasNul(id)) return undefined;
      await storeWritesBeforeReading([this.model]);
      const [row] = (await statements.take({ model: this.model, id })).rows;
      if (!row || row.consumed_at) return undefined;
      return row.payload as AdapterPayload;
    }

    findByUid(uid: string) {
      return this.findWhere('uid', uid);
    }

    findByUserCode(userCode: string) {
      return this.findWhere('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      if (hasNul(id)) return;
      forgetModel(this.model);
      // At once, never deferred: a code or refresh token is marked used before what it buys is made.
      await storeWritesBeforeReading([this.model]);
      await statements.consume({ model: this.model, id });
    }

    async destroy(id: string): Promise<void> {
      if (hasNul(id)) return;
      if (this.model === 'Client') clients.delete(id);
      forgetModel(this.model);
      if (mayWait(this.model, 'destroy') && (await deferWrite({ kind: 'destroy', model: this.model, id }, writeAll))) return;
      // Done now: what waits for the same model goes first, so an earlier upsert cannot bring the record back.
      await storeWritesBeforeReading([this.model]);
      await statements.destroy({ model: this.model, id });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      if (hasNul(grantId)) return;
      // Every model holding the grant's id may have lost rows.
      forgetModel();
      await storeWritesBeforeReading();
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    }
  };
}

/** Deletes expired payloads; returns how many went. */
export async function purgeExpired(db: Db): Promise<number> {
  const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<', sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** An account's unexpired sessions and grants (index oidc_payloads_account), for ending them all at once. */
export function createSqlAccountIndex(db: Db): AccountRecordIndex {
  return {
    async find(accountId) {
      await storeWritesBeforeReading(['Session', 'Grant']);
      const rows = await db
        .selectFrom('oidc_payloads')
        .select(['model', 'id'])
        // Written as literals, like the partial index's own predicate, so the planner always matches the two.
        .where(sql<boolean>`model in ('Session', 'Grant')`)
        .where(sql<string>`payload->>'accountId'`, '=', accountId)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
        .execute();
      return {
        sessions: rows.filter((r) => r.model === 'Session').map((r) => r.id),
        grants: rows.filter((r) => r.model === 'Grant').map((r) => r.id),
      };
    },
  };
}
