// CPU per sign-in, measured the steady way: one server (Sésame compiled, or the bare provider), sign-ins driven one
// after the other, the server's CPU read from /proc around each round. Sequential sign-ins on an otherwise idle
// server vary far less than the load windows of `npm run bench` on this shared 2-core machine, so before/after
// comparisons of a code change use this (docs/performance.md, «CPU per sign-in»).
//
//   npx tsx bench/cpu-per-sign-in.ts [--target sesame|bare] [--store postgres] [--rounds 5] [--count 40] [--profile DIR]
//     [--call sign-in|refresh|userinfo|introspection|jwks|sso]
//
// --call measures one kind of call instead of whole sign-ins: after the warm-up sign-ins, the rounds repeat that
// call with the tokens of one more sign-in (refresh: each call with the refresh token the previous one returned).
// `jwks` (GET /jwks: no store, no cookie, a constant answer) measures what every request costs around the provider:
// Sésame's figure minus the bare provider's is our middleware stack and the hand-over. `sso`: a sign-in that the
// browser's live session answers without a page (authorize → code → token → userinfo, the application allowed already).
//
// With --profile, the server runs under --cpu-prof and the self time inside the measured rounds is printed by
// function and by package.
import { Command, Option } from 'commander';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { monotonicMicros, summariseProfile } from './cpu-profile.js';
import { discoverEndpoints, introspect, reauthorize, refresh, signInFlow, userinfo } from './oidc-driver.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { startBareTarget, startSesameTarget, STORE_MODES, type StoreMode, type Target } from './targets.js';

const opts = new Command()
  .addOption(new Option('--target <which>').choices(['sesame', 'bare']).default('sesame'))
  .addOption(new Option('--store <mode>').choices(STORE_MODES).default('postgres'))
  .option('--rounds <n>', 'measured rounds', '5')
  .option('--count <n>', 'sign-ins per round', '40')
  .option('--warmup <n>', 'sign-ins before measuring', '40')
  .addOption(new Option('--call <kind>', 'what a measured round repeats').choices(['sign-in', 'refresh', 'userinfo', 'introspection', 'jwks', 'sso']).default('sign-in'))
  .option('--profile <dir>', 'record a CPU profile into DIR and summarise the measured rounds')
  .option('--top <n>', 'functions listed from the profile', '40')
  .option('--perf <file>', 'record the measured rounds with Linux perf (all threads, kernel included) into FILE')
  .parse()
  .opts<{ target: 'sesame' | 'bare'; store: StoreMode; rounds: string; count: string; warmup: string; profile?: string; top: string; perf?: string; call: 'sign-in' | 'refresh' | 'userinfo' | 'introspection' | 'jwks' | 'sso' }>();

// perf names JIT-compiled JavaScript from the map files V8 writes under --perf-basic-prof (/tmp/perf-PID.map).
const perfEnv = opts.perf ? { env: { NODE_OPTIONS: '--perf-basic-prof' } } : {};

async function start(): Promise<Target> {
  const cpuProfileDir = opts.profile ? path.resolve(opts.profile) : undefined;
  if (cpuProfileDir) await mkdir(cpuProfileDir, { recursive: true });
  return opts.target === 'bare'
    ? startBareTarget(cpuProfileDir ? { cpuProfileDir } : {})
    : startSesameTarget({ store: opts.store, accounts: 4, ...(cpuProfileDir ? { cpuProfileDir } : {}), ...perfEnv });
}

const target = await start();
const perRound: number[] = [];
const systemPerRound: number[] = [];

/** [user, system] CPU ms of every thread of `pid` (proc-stats.ts's cpuMs gives their sum). */
function cpuSplitMs(pid: number): [number, number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return [fields[11]! * 10, fields[12]! * 10, fields[7]!];
}
const faultsPerRound: number[] = [];
const mainPerRound: number[] = [];

/** CPU ms of the main thread alone (the JavaScript; not argon2's pool threads nor V8's background compilers). */
function mainThreadMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return (fields[11]! + fields[12]!) * 10;
}
let window: [number, number] | undefined;
try {
  const endpoints = await discoverEndpoints(target.issuer);
  let n = 0;
  const signIn = () => signInFlow(target, endpoints, target.accounts[n++ % target.accounts.length]!);
  for (let i = 0; i < Number(opts.warmup); i += 1) await signIn();
  let call: () => Promise<void> = async () => void (await signIn());
  if (opts.call !== 'sign-in') {
    const signedIn = await signIn();
    let tokens = signedIn.tokens;
    const single = {
      sso: () => reauthorize(target, endpoints, signedIn.browser),
      refresh: async () => {
        tokens = await refresh(target, endpoints, tokens.refreshToken!);
      },
      userinfo: async () => void (await userinfo(endpoints, tokens.accessToken)),
      introspection: () => introspect(target, endpoints, tokens.accessToken),
      jwks: async () => {
        const response = await fetch(`${target.issuer}/jwks`);
        if (!response.ok) throw new Error(`/jwks answered ${response.status}`);
        await response.arrayBuffer();
      },
    }[opts.call];
    // The call's own code warms up too.
    for (let i = 0; i < Number(opts.warmup); i += 1) await single();
    call = single;
  }
  const perf = opts.perf ? spawn('perf', ['record', '-q', '-F', '997', '-g', '-p', String(target.pid), '-o', opts.perf], { stdio: 'inherit' }) : undefined;
  const from = monotonicMicros();
  for (let r = 0; r < Number(opts.rounds); r += 1) {
    const [user0, system0, faults0] = cpuSplitMs(target.pid);
    const main0 = mainThreadMs(target.pid);
    for (let i = 0; i < Number(opts.count); i += 1) await call();
    const [user1, system1, faults1] = cpuSplitMs(target.pid);
    mainPerRound.push((mainThreadMs(target.pid) - main0) / Number(opts.count));
    faultsPerRound.push((faults1 - faults0) / Number(opts.count));
    perRound.push((user1 + system1 - user0 - system0) / Number(opts.count));
    systemPerRound.push((system1 - system0) / Number(opts.count));
  }
  window = [from, monotonicMicros()];
  if (perf) {
    perf.kill('SIGINT');
    await once(perf, 'exit');
  }
} finally {
  await target.stop();
}
const sorted = [...perRound].sort((a, b) => a - b);
// A single call costs tenths of a millisecond: one more decimal (with --count 1000, /proc's 10 ms ticks are 0.01 ms).
const digits = opts.call === 'sign-in' ? 1 : 2;
console.log(`${target.name}: CPU ms per ${opts.call}, ${opts.rounds} rounds of ${opts.count}: ${perRound.map((v) => v.toFixed(digits)).join(', ')}`);
console.log(`  of which system (kernel): ${systemPerRound.map((v) => v.toFixed(digits)).join(', ')}`);
console.log(`  main thread: ${mainPerRound.map((v) => v.toFixed(digits)).join(', ')}`);
console.log(`  minor page faults per call: ${faultsPerRound.map((v) => v.toFixed(0)).join(', ')}`);
console.log(`  median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(digits)}, range ${sorted[0]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)}`);

if (opts.profile && window) {
  const dir = path.resolve(opts.profile);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const summary = await summariseProfile(path.join(dir, files.at(-1)!), window, Number(opts.top));
  const signIns = Number(opts.rounds) * Number(opts.count);
  console.log(`\nprofile ${files.at(-1)} (measured window, monotonic µs: ${window.join(' to ')}): main thread busy ${(summary.busyMs / signIns).toFixed(2)} ms per ${opts.call}`);
  const line = (h: { name: string; where: string; selfMs: number; share: number }) =>
    `  ${(h.selfMs / signIns).toFixed(3).padStart(7)} ms  ${(h.share * 100).toFixed(1).padStart(5)} %  ${h.name} ${h.where}`;
  console.log('by package or folder:');
  summary.groups.forEach((g) => console.log(line(g)));
  console.log('by function:');
  summary.functions.forEach((f) => console.log(line(f)));
}
