// Reads a child process's CPU time and peak memory from /proc, so the server is measured from outside, without
// any code of its own in the way. Linux only (the benchmark machine).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

// Kernel clock ticks per second for utime/stime; 100 on every Linux the project runs on.
const TICKS_PER_SECOND = 100;

/**
 * User + system CPU time of every thread of the process (argon2 runs on libuv's pool threads), in ms; with
 * `withEndedChildren`, plus that of its children that have ended (a PostgreSQL server's finished backends).
 */
export function cpuMs(pid: number, withEndedChildren = false): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const own = fields[11]! + fields[12]!;
  const children = withEndedChildren ? fields[13]! + fields[14]! : 0;
  return ((own + children) * 1000) / TICKS_PER_SECOND;
}

function statusKb(pid: number, key: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : NaN;
}

/** Resident set size now, in MB. */
export function rssMb(pid: number): number {
  return statusKb(pid, 'VmRSS') / 1024;
}

/** Peak resident set size (VmHWM) since start or since the last `resetPeak`, in MB. */
export function peakRssMb(pid: number): number {
  return statusKb(pid, 'VmHWM') / 1024;
}

/** Resets VmHWM to the current RSS (writing 5 to clear_refs), so each scenario gets its own peak. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU ms of every process named `command` (e.g. the PostgreSQL server and its backends), summed with the ended
 * children they reaped, so that a backend closing during a measurement does not make the total go down. Anyone
 * else's work on the same server is included.
 */
export function cpuMsOfCommand(command: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name === command) total += cpuMs(Number(entry), true);
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}
