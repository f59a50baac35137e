// Fixed-window counters for everything that costs (logins, SMS, mail). The SQL store keeps them by default, in
// one upsert per hit, so limits hold across instances and restarts.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { precompile } from '../store/precompiled.js';

export interface Rule {
  /** Short name, part of the key: `login:account`, `sms:number`… */
  name: string;
  points: number;
  windowSeconds: number;
}

export interface Verdict {
  allowed: boolean;
  used: number;
  retryAfterSeconds: number;
}

export interface Limiter {
  /** Counts one hit against the rule and says whether it was within the limit. */
  hit(rule: Rule, key: string): Promise<Verdict>;
  /** Says whether a further hit would be allowed, without counting one. */
  check(rule: Rule, key: string): Promise<Verdict>;
  /** `check` for several counters at once (one round trip where the store allows it), in the same order. */
  checkAll(entries: [Rule, string][]): Promise<Verdict[]>;
  /**
   * Counts one hit on each of `hits` and reads `checks` without counting, in one round trip where the store allows
   * it (one statement in SQL): the verdicts in the same order, hits first. Each hit is atomic, as with `hit`.
   */
  count(hits: [Rule, string][], checks: [Rule, string][]): Promise<{ hits: Verdict[]; checks: Verdict[] }>;
  /** `reset` on some counters and `refund` on others, in one round trip where the store allows it. */
  settle(resets: [Rule, string][], refunds: [Rule, string][]): Promise<void>;
  reset(rule: Rule, key: string): Promise<void>;
  /** Gives one counted hit back (a hit counted first that turned out not to be a failure); never below zero. */
  refund(rule: Rule, key: string): Promise<void>;
}

/** A `check` verdict from a counter's stored row (none: nothing counted in this window). */
function checked(rule: Rule, row: { points: number; expires_at: Date | string } | undefined): Verdict {
  if (!row) return { allowed: true, used: 0, retryAfterSeconds: 0 };
  return { ...verdict(rule, row.points + 1, new Date(row.expires_at)), used: row.points };
}

function verdict(rule: Rule, used: number, expiresAt: Date | null): Verdict {
  const retryAfterSeconds = expiresAt ? Math.max(1, Math.ceil((expiresAt.getTime() - Date.now()) / 1000)) : 0;
  return { allowed: used <= rule.points, used, retryAfterSeconds: used <= rule.points ? 0 : retryAfterSeconds };
}

/** `prefix0`, `prefix1`… : the values of a statement with `n` rows or keys. */
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/**
 * The limiter's statements have as many rows or keys as the counters in a call, so they are compiled once per
 * shape (src/store/precompiled.ts). Callers pass a handful of counters; a larger call is compiled for itself, so
 * the cache stays small whatever comes.
 */
const SHAPES_KEPT = 4;
function byShape<S>(compile: (a: number, b: number) => S): (a: number, b: number) => S {
  const kept = new Map<number, S>();
  return (a, b) => {
    if (a > SHAPES_KEPT || b > SHAPES_KEPT) return compile(a, b);
    const shape = a * (SHAPES_KEPT + 1) + b;
    let statement = kept.get(shape);
    if (!statement) kept.set(shape, (statement = compile(a, b)));
    return statement;
  };
}

export function createSqlLimiter(db: Db): Limiter {
  const k = (rule: Rule, key: string) => `${rule.name}:${key}`;
  async function checkAll(entries: [Rule, string][]): Promise<Verdict[]> {
    const keys = entries.map(([rule, key]) => k(rule, key));
    const rows = await db
      .selectFrom('rate_limits')
      .select(['key', 'points', 'expires_at'])
      .where('key', 'in', keys)
      .where('expires_at', '>', sql<Date>`now()`)
      .execute();
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return entries.map(([rule], i) => checked(rule, byKey.get(keys[i]!)));
  }
  /**
   * One multi-row upsert for every hit (each row's window is its own rule's), with the checked counters read in
   * the same statement (a CTE): one round trip. A key hit twice in one call would be refused by PostgreSQL
   * («cannot affect row a second time»), so callers pass distinct counters.
   */
  const countStatement = byShape((hits: number, checks: number) =>
    precompile(db, [...names('key', hits), ...names('window', hits), ...names('check', checks)], (v) => {
      const values = sql.join(names('key', hits).map((key, i) => sql`(${v[key]}, 1, now() + make_interval(secs => ${v[`window${i}`]}))`));
      const checkKeys = names('check', checks).map((name) => v[name]);
      return sql<{ key: string; points: number; expires_at: Date; hit: boolean }>`
        with input(key, points, expires_at) as (values ${values}),
        hit as (
          insert into rate_limits (key, points, expires_at)
          select key, points, expires_at from input
          on conflict (key) do update set
            points = case when rate_limits.expires_at <= now() then 1 else rate_limits.points + 1 end,
            expires_at = case when rate_limits.expires_at <= now() then excluded.expires_at else rate_limits.expires_at end
          returning key, points, expires_at
        )
        select key, points, expires_at, true as hit from hit
        ${checks ? sql`union all select key, points, expires_at, false from rate_limits where key in (${sql.join(checkKeys)}) and expires_at > now()` : sql``}
      `;
    }),
  );
  async function count(hits: [Rule, string][], checks: [Rule, string][]): Promise<{ hits: Verdict[]; checks: Verdict[] }> {
    if (!hits.length) return { hits: [], checks: await checkAll(checks) };
    const hitKeys = hits.map(([rule, key]) => k(rule, key));
    const checkKeys = checks.map(([rule, key]) => k(rule, key));
    // Rows are locked in key order (byte order, as `collate "C"` in settle): two statements sharing counters
    // never wait on each other in a cycle (a deadlock would abort one sign-in).
    const order = hits.map((_, i) => i).sort((a, b) => (hitKeys[a]! < hitKeys[b]! ? -1 : 1));
    const values: Record<string, unknown> = {};
    order.forEach((at, i) => {
      values[`key${i}`] = hitKeys[at];
      values[`window${i}`] = hits[at]![0].windowSeconds;
    });
    checkKeys.forEach((key, i) => (values[`check${i}`] = key));
    const { rows } = await countStatement(hits.length, checks.length)(values);
    const hitRows = new Map(rows.filter((r) => r.hit).map((r) => [r.key, r]));
    const checkRows = new Map(rows.filter((r) => !r.hit).map((r) => [r.key, r]));
    return {
      hits: hits.map(([rule], i) => {
        const row = hitRows.get(hitKeys[i]!)!;
        return verdict(rule, row.points, new Date(row.expires_at));
      }),
      checks: checks.map(([rule], i) => checked(rule, checkRows.get(checkKeys[i]!))),
    };
  }
  // Both in one statement: a data-modifying CTE runs whether or not the outer query reads it. An empty list is
  // `in (null)`, which matches nothing.
  const settleStatement = byShape((resets: number, refunds: number) =>
    precompile(db, [...names('reset', resets), ...names('refund', refunds)], (v) => {
      const list = (name: string, n: number) => sql.join(n ? names(name, n).map((at) => v[at]) : [null]);
      return sql`
        with reset as (delete from rate_limits where key in (${list('reset', resets)})),
        locked as (select key from rate_limits where key in (${list('refund', refunds)}) order by key collate "C" for update)
        update rate_limits set points = greatest(points - 1, 0)
        where key in (select key from locked) and expires_at > now()
      `;
    }),
  );
  return {
    async hit(rule, key) {
      const { hits } = await count([[rule, key]], []);
      return hits[0]!;
    },
    count,
    async settle(resets, refunds) {
      const resetKeys = resets.map(([rule, key]) => k(rule, key));
      const refundKeys = refunds.map(([rule, key]) => k(rule, key));
      if (!refundKeys.length && !resetKeys.length) return;
      const values: Record<string, unknown> = {};
      resetKeys.forEach((key, i) => (values[`reset${i}`] = key));
      refundKeys.forEach((key, i) => (values[`refund${i}`] = key));
      await settleStatement(resetKeys.length, refundKeys.length)(values);
    },
    async check(rule, key) {
      const [v] = await checkAll([[rule, key]]);
      return v!;
    },
    checkAll,
    async reset(rule, key) {
      await db.deleteFrom('rate_limits').where('key', '=', k(rule, key)).execute();
    },
    async refund(rule, key) {
      await db
        .updateTable('rate_limits')
        .set({ points: sql`greatest(points - 1, 0)` })
        .where('key', '=', k(rule, key))
        .where('expires_at', '>', sql<Date>`now()`)
        .execute();
    },
  };
}

/** Deletes counters whose window has passed. */
export async function purgeLimits(db: Db): Promise<void> {
  await db.deleteFrom('rate_limits').where('expires_at', '<', sql<Date>`now()`).execute();
}
