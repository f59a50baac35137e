// Fixed-window counters for everything that costs (logins, SMS, mail). The SQL store keeps them by default, in
// one upsert per hit, so limits hold across instances and restarts.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';

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
  reset(rule: Rule, key: string): Promise<void>;
  /** Gives one counted hit back (a hit counted first that turned out not to be a failure); never below zero. */
  refund(rule: Rule, key: string): Promise<void>;
}

function verdict(rule: Rule, used: number, expiresAt: Date | null): Verdict {
  const retryAfterSeconds = expiresAt ? Math.max(1, Math.ceil((expiresAt.getTime() - Date.now()) / 1000)) : 0;
  return { allowed: used <= rule.points, used, retryAfterSeconds: used <= rule.points ? 0 : retryAfterSeconds };
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
    return entries.map(([rule], i) => {
      const row = byKey.get(keys[i]!);
      if (!row) return { allowed: true, used: 0, retryAfterSeconds: 0 };
      return { ...verdict(rule, row.points + 1, new Date(row.expires_at)), used: row.points };
    });
  }
  return {
    async hit(rule, key) {
      const window = sql`now() + make_interval(secs => ${rule.windowSeconds})`;
      const row = await db
        .insertInto('rate_limits')
        .values({ key: k(rule, key), points: 1, expires_at: window as unknown as Date })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            points: sql`case when rate_limits.expires_at <= now() then 1 else rate_limits.points + 1 end`,
            expires_at: sql`case when rate_limits.expires_at <= now() then ${window} else rate_limits.expires_at end`,
          }),
        )
        .returning(['points', 'expires_at'])
        .executeTakeFirstOrThrow();
      return verdict(rule, row.points, new Date(row.expires_at));
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
