// Runs the real `sesame` command (bin/sesame.js) in a child process, as an operator would, and collects its output.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestSesame } from './sesame.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SESAME_BIN = path.join(ROOT, 'bin/sesame.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `sesame …args`. The child sees only PATH (and TMPDIR) plus `env`: nothing of the test process's own settings
 * leaks in. `input` is written to its standard input, which is then closed (an empty pipe when omitted).
 */
export function runCli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SESAME_BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** The environment that points the command at a running test server. */
export function cliEnv(sesame: TestSesame, extra: Record<string, string> = {}): Record<string, string> {
  return { ADMIN_URL: sesame.adminUrl, ADMIN_TOKEN: sesame.sesame.adminToken, DATA_DIR: sesame.dataDir, ...extra };
}
