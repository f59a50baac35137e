// The targets of issue 13 (issue 5's, tightened), checked against one run's figures: met, missed, or not
// measurable, and by how much.
import type { Ceiling } from './ceilings.js';
import type { ImportResult } from './import-scenario.js';
import type { LoadResult } from './load.js';
import type { OidcResults, OidcScenario, SqlCounts } from './oidc-scenarios.js';
import type { StoreMode } from './targets.js';

export interface Goal {
  label: string;
  target: string;
  measured: string;
  /** undefined: not measurable in this run. */
  met: boolean | undefined;
  /** Measured ÷ limit (1 = exactly at the limit), when it makes sense. */
  ratio?: number;
  /** The scenario to profile when missed. */
  scenario?: OidcScenario;
}

export interface GoalInputs {
  mode: StoreMode;
  argon2: Ceiling;
  sesame: Partial<OidcResults>;
  bare: Partial<OidcResults>;
  imports: ImportResult[];
  idleRssMb: number;
  activation: LoadResult[] | undefined;
  /** SQL transactions per operation (full runs on PostgreSQL only). */
  sqlCounts?: SqlCounts;
}

/** How many times the bare oidc-provider's CPU Sésame may spend (issue 13; issue 5 allowed 2). */
const BARE_FACTOR = 1.5;

/** The row the targets are judged on: concurrency 8 (or the nearest measured). */
export function referenceRow(rows: LoadResult[] | undefined): LoadResult | undefined {
  if (!rows?.length) return undefined;
  return rows.find((r) => r.concurrency === 8) ?? rows[Math.floor(rows.length / 2)];
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

function cpuGoal(label: string, scenario: OidcScenario, own: LoadResult | undefined, limit: number | undefined, limitText: string): Goal {
  if (!own || limit === undefined || !Number.isFinite(own.cpuMsPerOp) || !Number.isFinite(limit)) {
    return { label, target: limitText, measured: 'not measured', met: undefined, scenario };
  }
  const ratio = own.cpuMsPerOp / limit;
  return { label, target: `${limitText} = ${ms(limit)}`, measured: ms(own.cpuMsPerOp), met: ratio <= 1, ratio, scenario };
}

export function checkGoals(input: GoalInputs): Goal[] {
  const goals: Goal[] = [];
  const own = (s: OidcScenario) => referenceRow(input.sesame[s]);
  const bare = (s: OidcScenario) => referenceRow(input.bare[s])?.cpuMsPerOp;

  const bareFlow = bare('sign-in');
  goals.push(
    cpuGoal(
      'Full sign-in: server CPU per flow',
      'sign-in',
      own('sign-in'),
      bareFlow === undefined ? undefined : input.argon2.cpuMsPerOp + BARE_FACTOR * bareFlow,
      `≤ 1 argon2id hash (${ms(input.argon2.cpuMsPerOp)}) + ${BARE_FACTOR} × bare oidc-provider (${bareFlow === undefined ? '?' : ms(bareFlow)})`,
    ),
  );
  const flow8 = own('sign-in');
  goals.push({
    label: `Full sign-in: p99 at concurrency ${flow8?.concurrency ?? 8}`,
    target: '< 250 ms',
    measured: flow8 ? ms(flow8.latency.p99) : 'not measured',
    met: flow8 ? flow8.latency.p99 < 250 : undefined,
    ...(flow8 ? { ratio: flow8.latency.p99 / 250 } : {}),
    scenario: 'sign-in',
  });
  for (const [scenario, label] of [['refresh', 'Refresh'], ['userinfo', 'Userinfo'], ['introspection', 'Introspection']] as const) {
    const b = bare(scenario);
    const goal = cpuGoal(`${label}: server CPU per request`, scenario, own(scenario), b === undefined ? undefined : BARE_FACTOR * b, `≤ ${BARE_FACTOR} × bare oidc-provider (${b === undefined ? '?' : ms(b)})`);
    if (scenario === 'refresh' && input.mode === 'embedded') goal.label += ' (target set for PostgreSQL)';
    goals.push(goal);
  }

  // Round trips: ≤ 12 statements per sign-in on PostgreSQL alone, ≤ 6 with Redis (docs/performance.md).
  if (input.mode !== 'embedded') {
    const limit = input.mode === 'postgres' ? 12 : 6;
    const counted = input.sqlCounts?.['sign-in']?.transactions;
    goals.push({
      label: 'Full sign-in: SQL statements',
      target: `≤ ${limit}`,
      measured: counted === undefined ? 'not measured (full runs only)' : counted.toFixed(1),
      met: counted === undefined ? undefined : counted <= limit,
      ...(counted === undefined ? {} : { ratio: counted / limit }),
    });
  }

  const biggest = [...input.imports].sort((a, b) => b.rows - a.rows)[0];
  const smallest = [...input.imports].sort((a, b) => a.rows - b.rows)[0];
  goals.push({
    label: `Import: rows/s${input.mode === 'embedded' ? ' (target set for PostgreSQL)' : ''}`,
    target: '≥ 20,000 rows/s',
    measured: biggest ? `${Math.round(biggest.rowsPerSecond).toLocaleString('en-US')} rows/s (${biggest.rows.toLocaleString('en-US')} rows)` : 'not measured',
    met: biggest ? biggest.rowsPerSecond >= 20_000 : undefined,
    ...(biggest ? { ratio: 20_000 / biggest.rowsPerSecond } : {}),
  });
  const flat = biggest && smallest && biggest !== smallest;
  goals.push({
    label: 'Import: memory independent of the file size',
    target: 'peak of the biggest file ≤ peak of the smallest + 50 MB',
    measured: flat ? `${biggest.peakRssMb.toFixed(0)} MB (${biggest.rows.toLocaleString('en-US')} rows) against ${smallest.peakRssMb.toFixed(0)} MB (${smallest.rows.toLocaleString('en-US')})` : 'a single size measured',
    met: flat ? biggest.peakRssMb <= smallest.peakRssMb + 50 : undefined,
  });

  // Issue 13: the compiled build on PostgreSQL, a few seconds after start-up (docs/performance.md, «Idle memory»).
  goals.push({
    label: `Idle memory (RSS)${input.mode === 'embedded' ? ' (target set for PostgreSQL)' : ''}`,
    target: '< 120 MB',
    measured: `${input.idleRssMb.toFixed(0)} MB`,
    met: input.idleRssMb < 120,
    ratio: input.idleRssMb / 120,
  });
  const loaded = [...Object.values(input.sesame).flat(), ...(input.activation ?? [])].map((r) => r.peakRssMb);
  const peak = Math.max(...loaded, ...input.imports.map((i) => i.peakRssMb));
  goals.push({
    label: 'Memory under load (peak RSS)',
    target: '< 300 MB',
    measured: Number.isFinite(peak) ? `${peak.toFixed(0)} MB` : 'not measured',
    met: Number.isFinite(peak) ? peak < 300 : undefined,
    ...(Number.isFinite(peak) ? { ratio: peak / 300 } : {}),
  });
  return goals;
}
