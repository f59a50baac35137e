// `npm run bench`: starts Sésame (and a bare oidc-provider) as child processes, measures the scenarios of issue 5
// at several concurrencies, the machine's ceilings, and writes bench/results/<date>-<mode>.md with its SVG chart.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { activationAvailable, prepareActivation } from './activation-scenario.js';
import { argon2Ceiling, rs256Ceiling } from './ceilings.js';
import { renderChart, type Series } from './chart.js';
import { compiled } from './build.js';
import { REPO_ROOT } from './child-process.js';
import { monotonicMicros, summariseProfile } from './cpu-profile.js';
import { writeDirectoryCsv } from './directory-csv.js';
import { checkGoals } from './goals.js';
import { importAvailable, importFile, type ImportResult } from './import-scenario.js';
import { runLoad } from './load.js';
import { OIDC_SCENARIOS, runOidcScenarios, type OidcScenario, type RunPlan, type SqlCounts } from './oidc-scenarios.js';
import { rssMb } from './proc-stats.js';
import { renderReport, type BenchReport } from './report.js';
import { startBareTarget, startSesameTarget, STORE_MODES, type StoreMode } from './targets.js';

const program = new Command()
  .name('bench')
  .addOption(new Option('--store <mode>', 'Sésame’s store').choices(STORE_MODES).default('embedded'))
  .option('--duration <seconds>', 'seconds per measurement window', '10')
  .option('--quick', 'quick run (under a minute): short windows, fewer levels, 10,000-row import only, no CPU profile')
  .option('--import-sizes <list>', 'directory import file sizes (rows)', '10000,100000,1000000')
  .option('--import-budget <seconds>', 'skip the next size if, at the rate just measured, it would take longer than this', '600')
  .option('--no-profile', 'do not record a CPU profile when a target is missed')
  .parse();

const opts = program.opts<{ store: StoreMode; duration: string; quick?: boolean; importSizes: string; importBudget: string; profile: boolean }>();
const quick = Boolean(opts.quick);
const durationS = quick ? 1 : Number(opts.duration);
// Quick runs drop concurrency 32 (its windows overrun most: a 32-deep sign-in takes seconds to drain) but keep 8,
// the level the targets are judged at.
const plan: RunPlan = {
  concurrencies: quick ? [1, 8] : [1, 8, 32],
  durationMs: durationS * 1000,
  warmupMs: quick ? 300 : 2000,
  sqlCounts: !quick,
  onStep: (what) => log(`  ${what}`),
};
const importSizes = quick ? [10_000] : opts.importSizes.split(',').map(Number).filter((n) => n > 0);
const accounts = quick ? 8 : 32;
const date = new Date().toISOString().slice(0, 10);
const resultsDir = path.join(REPO_ROOT, 'bench/results');
// A quick run is named apart: it never overwrites the day's full report of the same store.
const base = `${date}-${opts.store.replace('+', '-')}${quick ? '-quick' : ''}`;
const started = performance.now();

function log(message: string): void {
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}

async function measureImports(target: Awaited<ReturnType<typeof startSesameTarget>>): Promise<{ results: ImportResult[]; note?: string }> {
  if (!(await importAvailable(target))) {
    return { results: [], note: '**Not available yet**: `POST /admin/api/v1/directory/import` does not exist in this version. The benchmark will measure it as soon as it does.' };
  }
  const dir = path.join(os.tmpdir(), `sesame-bench-csv-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const results: ImportResult[] = [];
  const skipped: string[] = [];
  try {
    let first = 0;
    for (const rows of importSizes) {
      const last = results.at(-1);
      if (last && rows / last.rowsPerSecond > Number(opts.importBudget)) {
        skipped.push(`${rows.toLocaleString('en-US')} rows (≈ ${Math.round(rows / last.rowsPerSecond / 60)} min at the rate measured)`);
        continue;
      }
      const file = path.join(dir, `annuaire-${rows}.csv`);
      log(`import: generating ${rows} rows`);
      await writeDirectoryCsv(file, rows, first);
      // Each file holds other schools than the previous ones: every import is a first import.
      first += Math.ceil(rows / 1600) * 1600;
      log(`import: ${rows} rows`);
      results.push(await importFile(target, file, rows));
      await rm(file, { force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (!skipped.length) return { results };
  return { results, note: `Not measured, beyond the budget of ${opts.importBudget} s (\`--import-budget\`): ${skipped.join(', ')}.` };
}

async function measureActivation(target: Awaited<ReturnType<typeof startSesameTarget>>): Promise<BenchReport['activation']> {
  if (!(await activationAvailable(target))) {
    return { note: '**Not available yet**: this version does not serve the `/activation` journey. The benchmark will measure it as soon as it does.' };
  }
  // Enough never-activated families for every journey the windows can hold (about 10/s at most on 2 cores).
  const families = 100 + 15 * durationS * plan.concurrencies.length;
  log(`activation: importing ${families} families`);
  const operation = await prepareActivation(target, families);
  plan.onStep?.('activation (warm-up)');
  await runLoad({ pid: target.pid, concurrency: 2, durationMs: plan.warmupMs, operation });
  const rows = [];
  for (const concurrency of plan.concurrencies) {
    plan.onStep?.(`activation × ${concurrency}`);
    rows.push(await runLoad({ pid: target.pid, concurrency, durationMs: plan.durationMs, operation, ...(target.databaseCpuMs ? { databaseCpuMs: target.databaseCpuMs } : {}) }));
  }
  return { rows };
}

async function profileMissed(scenarios: OidcScenario[]): Promise<BenchReport['profiles']> {
  const profileDir = path.join(resultsDir, 'profiles', base);
  await rm(profileDir, { recursive: true, force: true });
  await mkdir(profileDir, { recursive: true });
  log(`CPU profile of ${scenarios.join(', ')}`);
  const target = await startSesameTarget({ store: opts.store, accounts, cpuProfileDir: profileDir });
  const windows: Partial<Record<OidcScenario, [number, number]>> = {};
  try {
    const order = OIDC_SCENARIOS.filter((s) => scenarios.includes(s));
    for (const scenario of order) {
      // The sign-in run prepares nothing; the token scenarios prepare sessions first, outside the window.
      const from = monotonicMicros();
      await runOidcScenarios(target, { ...plan, sqlCounts: false, concurrencies: [8], onStep: (w) => { if (!w.includes('warm-up')) windows[scenario] = [monotonicMicros(), 0]; } }, [scenario]);
      windows[scenario] = [windows[scenario]?.[0] ?? from, monotonicMicros()];
    }
  } finally {
    await target.stop();
  }
  const file = (await readdir(profileDir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return [];
  const full = path.join(profileDir, file);
  const profiles: BenchReport['profiles'] = [];
  for (const scenario of scenarios) {
    const window = windows[scenario];
    if (window) profiles.push({ scenario, file: path.relative(REPO_ROOT, full), summary: await summariseProfile(full, window) });
  }
  return profiles;
}

/** The commit measured, and the source files that differed from it (people work in the same tree). */
function version(): { commit: string; modified: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trimEnd();
  try {
    const modified = git('status', '--porcelain', '--', 'src', 'views', 'package.json').split('\n').filter(Boolean).map((l) => l.slice(3));
    return { commit: git('rev-parse', '--short', 'HEAD'), modified };
  } catch {
    return { commit: '?', modified: [] };
  }
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const measured = version();
  log(`benchmark, ${opts.store} store${quick ? ', quick' : ''}, ${durationS} s per window`);
  // Both servers run compiled, as production does (bench/build.ts); compiling first keeps tsc out of every phase.
  log('compiling: tsc -p tsconfig.build.json (Sésame), tsc -p bench/tsconfig.bare.json (bare oidc-provider)');
  await Promise.all([compiled('sesame'), compiled('bare')]);
  // Every phase runs alone, quick or not: on this shared 2-core machine the CPU per operation of one process grows
  // when another competes for the cores, so starting Sésame during the bare provider's run would flatter the ratios.
  log('ceilings: argon2id, RS256');
  const ceilings = { argon2: await argon2Ceiling(quick ? 1000 : 3000), rs256: await rs256Ceiling(quick ? 500 : 2000) };

  log('bare oidc-provider');
  const bareTarget = await startBareTarget();
  let bare;
  try {
    bare = await runOidcScenarios(bareTarget, plan);
  } finally {
    await bareTarget.stop();
  }

  log(`Sésame (${opts.store}): start-up and data`);
  const sesameTarget = await startSesameTarget({ store: opts.store, accounts });
  log(`Sésame (${opts.store}): ready, ${accounts} accounts`);
  let sesame;
  const sqlCounts: SqlCounts = {};
  let idleRssMb;
  let activation: BenchReport['activation'];
  let imports: BenchReport['imports'];
  try {
    // Settle after start-up and data preparation (account hashes, migrations) before reading the idle size.
    await new Promise((r) => setTimeout(r, quick ? 1000 : 3000));
    idleRssMb = rssMb(sesameTarget.pid);
    sesame = await runOidcScenarios(sesameTarget, plan, OIDC_SCENARIOS, sqlCounts);
    activation = await measureActivation(sesameTarget);
    imports = await measureImports(sesameTarget);
  } finally {
    await sesameTarget.stop();
  }

  const goals = checkGoals({ mode: opts.store, argon2: ceilings.argon2, sesame, bare, imports: imports.results, idleRssMb, activation: 'rows' in activation ? activation.rows : undefined, sqlCounts });
  const missed = [...new Set(goals.filter((g) => g.met === false && g.scenario).map((g) => g.scenario!))];
  // Quick runs leave the profiling pass out: a second server start-up and replay would double their length.
  const profiles = opts.profile && !quick && missed.length ? await profileMissed(missed) : [];

  const colors: Record<OidcScenario, string> = { 'sign-in': '#c0392b', refresh: '#2471a3', userinfo: '#229954', introspection: '#7d3c98' };
  const series: Series[] = OIDC_SCENARIOS.flatMap((s) => [
    ...(sesame[s] ? [{ label: `Sésame ${s}`, color: colors[s], dashed: false, rows: sesame[s] }] : []),
    ...(bare[s] ? [{ label: `bare ${s}`, color: colors[s], dashed: true, rows: bare[s] }] : []),
  ]);
  if ('rows' in activation) series.push({ label: 'Sésame activation', color: '#d68910', dashed: false, rows: activation.rows });
  const chartFile = `${base}.svg`;
  await mkdir(resultsDir, { recursive: true });
  await writeFile(path.join(resultsDir, chartFile), renderChart(`Sésame (${opts.store}) and bare oidc-provider, ${date}`, series, plan.concurrencies));
  const report: BenchReport = {
    date,
    mode: opts.store,
    quick,
    durationS,
    elapsedS: (performance.now() - started) / 1000,
    version: measured,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', node: process.version, loadBefore, loadAfter: os.loadavg() },
    ceilings,
    idleRssMb,
    sesame,
    sqlCounts,
    bare,
    activation,
    imports,
    goals,
    profiles,
    chartFile,
  };
  const reportFile = path.join(resultsDir, `${base}.md`);
  await writeFile(reportFile, renderReport(report));
  log(`report: ${path.relative(process.cwd(), reportFile)}`);
}

main().catch((err: unknown) => {
  console.error('bench:', err);
  process.exit(1);
});
