// Starts a server (Sésame or the bare provider) as a separate Node process, waits until it answers, and stops it
// cleanly, so that its CPU time and memory can be read from /proc without the load generator's own mixed in.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort } from '../test/support/sesame.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Child {
  pid: number;
  /** Last lines the process wrote on stderr/stdout, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before answering:\n${output()}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`server did not answer ${url} within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Runs `script` (compiled JavaScript: bench/build.ts) with plain `node`, as production does, and `env`; resolves once
 * `readyUrl` answers 2xx. `cpuProfileDir` turns on V8's --cpu-prof (written when it exits).
 */
export async function startChild(options: { script: string; env: Record<string, string>; readyUrl: string; cpuProfileDir?: string }): Promise<Child> {
  const args: string[] = [];
  if (options.cpuProfileDir) args.push('--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir);
  args.push(options.script);
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const output = () => tail;
  try {
    await waitReady(options.readyUrl, child, output, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    pid: child.pid!,
    output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
