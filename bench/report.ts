// Writes the Markdown report of one run: the machine, the ceilings, one table per scenario, the ratios against
// the bare oidc-provider and argon2id, the targets with how far we are, and where the time goes.
import type { Ceiling } from './ceilings.js';
import type { ProfileSummary } from './cpu-profile.js';
import { referenceRow, type Goal } from './goals.js';
import type { ImportResult } from './import-scenario.js';
import type { LoadResult } from './load.js';
import { OIDC_SCENARIOS, type OidcResults, type OidcScenario, type SqlCounts } from './oidc-scenarios.js';
import type { StoreMode } from './targets.js';

export interface BenchReport {
  date: string;
  mode: StoreMode;
  quick: boolean;
  durationS: number;
  elapsedS: number;
  version: { commit: string; modified: string[] };
  machine: { cpus: number; model: string; node: string; loadBefore: number[]; loadAfter: number[] };
  ceilings: { argon2: Ceiling; rs256: Ceiling };
  idleRssMb: number;
  sesame: Partial<OidcResults>;
  sqlCounts: SqlCounts;
  bare: Partial<OidcResults>;
  activation: { rows: LoadResult[] } | { note: string };
  imports: { results: ImportResult[]; note?: string };
  goals: Goal[];
  profiles: { scenario: string; file: string; summary: ProfileSummary }[];
  chartFile: string;
}

const TITLES: Record<OidcScenario, string> = {
  'sign-in': 'Full sign-in (authorize → profile → identifiant + password → consent → code → token → userinfo)',
  userinfo: 'Userinfo (valid access token)',
  introspection: 'Introspection (valid access token)',
  refresh: 'Refresh with token rotation',
};

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

function loadTable(rows: LoadResult[], unit: string, parts: string[] = []): string {
  const withDb = rows.some((r) => r.databaseCpuMsPerOp !== undefined);
  const dbLabel = 'DB CPU ms/op';
  const head = ['concurrency', `${unit}/s`, 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', ...parts.flatMap((p) => [`${p} p50`, `${p} p99`]), 'server CPU ms/op', ...(withDb ? [dbLabel] : []), 'peak RSS (MB)', 'errors'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const partCells = parts.flatMap((p) => [f1(r.parts[p]?.p50 ?? NaN), f1(r.parts[p]?.p99 ?? NaN)]);
    lines.push(`| ${[r.concurrency, f1(r.opsPerSecond), f1(r.latency.p50), f1(r.latency.p95), f1(r.latency.p99), ...partCells, f2(r.cpuMsPerOp), ...(withDb ? [f2(r.databaseCpuMsPerOp ?? NaN)] : []), f1(r.peakRssMb), r.errors].join(' | ')} |`);
  }
  const failed = rows.find((r) => r.firstError);
  if (failed) lines.push('', `First error: \`${failed.firstError!.slice(0, 200).replace(/`/g, "'")}\``);
  return lines.join('\n');
}

function gap(goal: Goal): string {
  if (goal.met === undefined) return 'not measurable here';
  if (goal.ratio === undefined) return goal.met ? 'met' : 'missed';
  return goal.met ? `met (${(goal.ratio * 100).toFixed(0)} % of the limit)` : `missed: ×${goal.ratio.toFixed(2)} the limit`;
}

export function renderReport(r: BenchReport): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  push(
    `# Sésame benchmark — ${r.date} — ${r.mode} store${r.quick ? ' (quick)' : ''}`,
    '',
    `Produced by \`npm run bench -- --store ${r.mode}${r.quick ? ' --quick' : ` --duration ${r.durationS}`}\` in ${Math.round(r.elapsedS)} s. ` +
      `Each scenario runs ${r.durationS} s per concurrency level (closed loop: each virtual client starts its next operation when the previous one ends), after a short warm-up.`,
    '',
    '## How to read this report',
    '',
    '- **Server CPU ms/op** is the figure to follow: CPU time (user + system, every thread, argon2’s included) of the server process read from `/proc/<pid>/stat`, divided by the operations completed. The load generator shares the machine, so operations per second understate the server; CPU per operation hardly depends on the load.',
    '- **Ratios** compare Sésame with a bare oidc-provider 9 (in-memory adapter, no hashing, `bench/bare-provider.ts`) measured in the same run, and with one argon2id hash measured here with the same parameters: they stay comparable from one machine to another, raw figures do not.',
    '- **DB CPU ms/op** (PostgreSQL, and Redis when used): CPU time of every `postgres` (and `redis-server`) process of the machine during the window, divided by the operations. These servers are shared with other people’s tests: an indicative upper bound. It is not part of the targets, which concern the Sésame process, as for the bare oidc-provider (which has no database).',
    '- Targets are judged at concurrency 8. Peak RSS = VmHWM, reset before each measurement.',
    `- **Noise**: a ${r.machine.cpus}-core machine (${r.machine.model}) shared with other people who build and test during the measurement (load average ${r.machine.loadBefore.map((l) => l.toFixed(1)).join(' / ')} at the start, ${r.machine.loadAfter.map((l) => l.toFixed(1)).join(' / ')} at the end). Latencies and rates are noisy; CPU ms/op less so.${r.quick ? ' Quick run: short windows, no CPU profile, indicative figures.' : ''}`,
    `- Code measured: commit ${r.version.commit}${r.version.modified.length ? `, plus uncommitted changes in ${r.version.modified.map((f) => `\`${f}\``).join(', ')}` : ''}.`,
    `- Node ${r.machine.node}. Sésame runs compiled in a separate process (\`node dist/src/main.js\` after \`tsc -p tsconfig.build.json\`, as in the Docker image; LOG_LEVEL=warn, NODE_ENV=development so that the SMS outbox is allowed).`,
    '',
    '## Machine ceilings (same run)',
    '',
    '| measure | CPU ms/op | per second (2 cores) |',
    '|---|---|---|',
    `| argon2id hash (m=19456, t=2, p=1, @node-rs/argon2) | ${f2(r.ceilings.argon2.cpuMsPerOp)} | ${f1(r.ceilings.argon2.perSecond)} |`,
    `| RS256 signature (2048-bit key, node:crypto) | ${f2(r.ceilings.rs256.cpuMsPerOp)} | ${f1(r.ceilings.rs256.perSecond)} (1 thread) |`,
    `| Sésame idle RSS | ${f1(r.idleRssMb)} MB | |`,
    '',
    '## Targets (issue 13)',
    '',
    '| target | limit | measured | gap |',
    '|---|---|---|---|',
    ...r.goals.map((g) => `| ${g.met === undefined ? '◻' : g.met ? '✅' : '❌'} ${g.label} | ${g.target} | ${g.measured} | ${gap(g)} |`),
    '',
    '## Ratios (concurrency 8)',
    '',
    '| scenario | Sésame CPU ms/op | bare oidc-provider CPU ms/op | Sésame ÷ bare | (Sésame − bare) ÷ argon2id | Sésame p99 (ms) | bare p99 (ms) |',
    '|---|---|---|---|---|---|---|',
  );
  for (const s of OIDC_SCENARIOS) {
    const own = referenceRow(r.sesame[s]);
    const bare = referenceRow(r.bare[s]);
    if (!own) continue;
    const b = bare?.cpuMsPerOp ?? NaN;
    push(`| ${s} | ${f2(own.cpuMsPerOp)} | ${f2(b)} | ${f2(own.cpuMsPerOp / b)} | ${f2((own.cpuMsPerOp - b) / r.ceilings.argon2.cpuMsPerOp)} | ${f1(own.latency.p99)} | ${f1(bare?.latency.p99 ?? NaN)} |`);
  }
  const counted = OIDC_SCENARIOS.filter((s) => r.sqlCounts[s]);
  if (counted.length) {
    push(
      '',
      '**Work asked of PostgreSQL per operation** (mean of 20 operations in a row, from `pg_stat_database` of the benchmark’s database; each transaction is one statement here, so one round trip):',
      '',
      '| scenario | SQL transactions | rows read | rows written |',
      '|---|---|---|---|',
      ...counted.map((s) => `| ${s} | ${f1(r.sqlCounts[s]!.transactions)} | ${f1(r.sqlCounts[s]!.rowsRead)} | ${f1(r.sqlCounts[s]!.rowsWritten)} |`),
    );
  }
  push('', `![Throughput and p99 against concurrency](${r.chartFile})`, '');

  for (const s of OIDC_SCENARIOS) {
    push(`## ${TITLES[s]}`, '');
    const unit = s === 'sign-in' ? 'flows' : 'requests';
    const parts = s === 'sign-in' ? ['token'] : [];
    if (r.sesame[s]) push('**Sésame**', '', loadTable(r.sesame[s], unit, parts), '');
    if (r.bare[s]) push('**Bare oidc-provider** (the library’s ceiling)', '', loadTable(r.bare[s], unit, parts), '');
  }

  push('## SMS activation (outbox transport)', '');
  if ('rows' in r.activation) push(loadTable(r.activation.rows, 'journeys'), '');
  else push(r.activation.note, '');

  push('## Directory import', '');
  if (r.imports.results.length) {
    push('| rows | file (MB) | duration (s) | rows/s | Sésame CPU (s) | DB CPU (s) | RSS before (MB) | peak RSS (MB) | status | summary |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const i of r.imports.results) {
      push(`| ${i.rows.toLocaleString('en-US')} | ${f1(i.fileMb)} | ${f1(i.seconds)} | ${Math.round(i.rowsPerSecond).toLocaleString('en-US')} | ${f1(i.serverCpuMs / 1000)} | ${f1((i.databaseCpuMs ?? NaN) / 1000)} | ${f1(i.rssBeforeMb)} | ${f1(i.peakRssMb)} | ${i.status} | \`${i.summary.slice(0, 160).replace(/[`|]/g, ' ')}\` |`);
    }
    push('');
  }
  if (r.imports.note) push(r.imports.note, '');

  push('## Where the time goes', '');
  if (!r.profiles.length) push(r.quick ? 'Quick run: no CPU profile recorded (run without `--quick` for one).' : 'No CPU or latency target missed: no profile recorded.', '');
  for (const p of r.profiles) {
    push(
      `### CPU profile: ${p.scenario}`,
      '',
      `\`${p.file}\` (not versioned; opens in Chrome DevTools › Performance). A separate Sésame process started with \`--cpu-prof\`; ` +
        `only the samples inside the scenario’s window count (${f1(p.summary.busyMs)} ms of busy main thread). ` +
        'argon2id hashing runs on libuv’s threads: it does not show here, only in CPU ms/op. ' +
        'V8’s samples cover the main thread’s elapsed time: a `writev` (a socket write, to PostgreSQL or to the client) ' +
        'also counts the time spent waiting for its core when the write woke another process up on this 2-core machine.',
      '',
      '| function (self time) | where | ms | share |',
      '|---|---|---|---|',
      ...p.summary.functions.map((h) => `| \`${h.name}\` | ${h.where} | ${f1(h.selfMs)} | ${(h.share * 100).toFixed(1)} % |`),
      '',
      '| package or folder | ms | share |',
      '|---|---|---|',
      ...p.summary.groups.map((h) => `| ${h.name} | ${f1(h.selfMs)} | ${(h.share * 100).toFixed(1)} % |`),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
