// Reads a V8 .cpuprofile (written by the server child under --cpu-prof) and says where the time went: the
// functions with the most self time, and the same grouped by package or source folder.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  functions: HotSpot[];
  groups: HotSpot[];
}

/** `node_modules/oidc-provider/lib/x.js` → `oidc-provider`; `/repo/src/http/app.ts` → `src/http`. */
function groupOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  // The only WebAssembly Sésame runs is the embedded PostgreSQL.
  if (url.startsWith('wasm://')) return 'PGlite (WebAssembly)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(src|bench)\/(.*)\/[^/]+$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return 'node (core)';
  return url.replace(/^file:\/\//, '');
}

function shortWhere(url: string, line: number): string {
  const trimmed = url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/');
  return trimmed ? `${trimmed}:${line + 1}` : '';
}

/** Now on the clock V8 stamps profiles with (CLOCK_MONOTONIC, µs), shared by every process of the machine. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Summarises `file`, counting only samples inside `window` ([from, to] in `monotonicMicros()` time) when given,
 * so that start-up and other scenarios of the same profiled process stay out.
 */
export async function summariseProfile(file: string, window?: [number, number], top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const functions = new Map<string, HotSpot>();
  const groups = new Map<string, HotSpot>();
  let busyMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window[0] || at > window[1])) return;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    busyMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const key = `${name}@${url}:${lineNumber}`;
    const fn = functions.get(key) ?? { name, where: shortWhere(url, lineNumber), selfMs: 0, share: 0 };
    fn.selfMs += ms;
    functions.set(key, fn);
    const group = groupOf(url, name);
    const g = groups.get(group) ?? { name: group, where: '', selfMs: 0, share: 0 };
    g.selfMs += ms;
    groups.set(group, g);
  });
  const ranked = (m: Map<string, HotSpot>) =>
    [...m.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((h) => ({ ...h, share: busyMs ? h.selfMs / busyMs : 0 }));
  return { busyMs, functions: ranked(functions), groups: ranked(groups) };
}
