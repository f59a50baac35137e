// The OpenID Connect scenarios, run the same way against Sésame and against the bare provider: full sign-in,
// userinfo, introspection, refresh with rotation, each at every concurrency for a fixed duration.
import { runLoad, type LoadResult } from './load.js';
import { discoverEndpoints, introspect, refresh, signInFlow, userinfo, type Tokens } from './oidc-driver.js';
import { countSql, type SqlCount } from './sql-counts.js';
import type { Target } from './targets.js';

export type OidcScenario = 'sign-in' | 'userinfo' | 'introspection' | 'refresh';
export const OIDC_SCENARIOS: OidcScenario[] = ['sign-in', 'userinfo', 'introspection', 'refresh'];

export interface RunPlan {
  concurrencies: number[];
  durationMs: number;
  warmupMs: number;
  /** Count SQL transactions per operation (PostgreSQL modes; adds about a minute). */
  sqlCounts?: boolean;
  /** Called before each measured window (progress on the terminal). */
  onStep?: (what: string) => void;
}

export type OidcResults = Record<OidcScenario, LoadResult[]>;

/** The operations of each scenario, one worker's worth, for counting what one of them costs. */
export type SqlCounts = Partial<Record<OidcScenario, SqlCount>>;

/** Signs `count` sessions in, a few at a time, for the token scenarios' workers. */
async function prepareTokens(target: Target, count: number): Promise<Tokens[]> {
  const endpoints = await discoverEndpoints(target.issuer);
  const tokens: Tokens[] = [];
  for (let i = 0; i < count; i += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, count - i) }, (_, j) => signInFlow(target, endpoints, target.accounts[(i + j) % target.accounts.length]!)),
    );
    tokens.push(...batch.map((b) => b.tokens));
  }
  return tokens;
}

export async function runOidcScenarios(
  target: Target,
  plan: RunPlan,
  only: OidcScenario[] = OIDC_SCENARIOS,
  sqlCounts: SqlCounts = {},
): Promise<Partial<OidcResults>> {
  const endpoints = await discoverEndpoints(target.issuer);
  const maxWorkers = Math.max(...plan.concurrencies);
  const account = (worker: number) => target.accounts[worker % target.accounts.length]!;
  const operations: Record<OidcScenario, (tokens: Tokens[]) => (worker: number) => Promise<Record<string, number> | void>> = {
    'sign-in': () => async (worker) => ({ token: (await signInFlow(target, endpoints, account(worker))).tokenMs }),
    userinfo: (tokens) => async (worker) => {
      await userinfo(endpoints, tokens[worker]!.accessToken);
    },
    introspection: (tokens) => async (worker) => {
      await introspect(target, endpoints, tokens[worker]!.accessToken);
    },
    refresh: (tokens) => async (worker) => {
      tokens[worker] = await refresh(target, endpoints, tokens[worker]!.refreshToken!);
    },
  };

  // Sign-ins first (they also warm the JIT up), then the token scenarios on sessions made for them.
  const results: Partial<OidcResults> = {};
  let tokens: Tokens[] = [];
  for (const scenario of OIDC_SCENARIOS.filter((s) => only.includes(s))) {
    if (scenario !== 'sign-in' && tokens.length === 0) tokens = await prepareTokens(target, maxWorkers);
    const operation = operations[scenario](tokens);
    plan.onStep?.(`${target.name}: ${scenario} (warm-up)`);
    await runLoad({ pid: target.pid, concurrency: 2, durationMs: plan.warmupMs, operation });
    if (plan.sqlCounts && target.postgres) {
      plan.onStep?.(`${target.name}: ${scenario} (SQL statements per operation)`);
      sqlCounts[scenario] = await countSql(target.postgres.adminUrl, target.postgres.database, 20, async () => {
        await operation(0);
      });
    }
    results[scenario] = [];
    for (const concurrency of plan.concurrencies) {
      plan.onStep?.(`${target.name}: ${scenario} × ${concurrency}`);
      results[scenario].push(await runLoad({ pid: target.pid, concurrency, durationMs: plan.durationMs, operation, ...(target.databaseCpuMs ? { databaseCpuMs: target.databaseCpuMs } : {}) }));
    }
  }
  return results;
}
