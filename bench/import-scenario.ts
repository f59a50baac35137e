// Directory import through the admin API (POST /admin/api/v1/directory/import, streamed CSV), timed with the
// server's CPU and peak memory; skipped with a note while the endpoint does not exist.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { cpuMs, peakRssMb, resetPeak, rssMb } from './proc-stats.js';
import { adminCall, type Target } from './targets.js';

export const IMPORT_PATH = '/directory/import';

export interface ImportResult {
  rows: number;
  fileMb: number;
  seconds: number;
  rowsPerSecond: number;
  serverCpuMs: number;
  /** PostgreSQL's CPU over the import (PostgreSQL mode). */
  databaseCpuMs?: number;
  rssBeforeMb: number;
  peakRssMb: number;
  status: number;
  summary: string;
}

/** True when the admin API knows the route (anything but its «no such admin endpoint» 404). */
export async function importAvailable(target: Target): Promise<boolean> {
  const probe = await adminCall(target.admin!, 'POST', `${IMPORT_PATH}?dry_run=true`, {});
  return !(probe.status === 404 && probe.json?.error_description === 'no such admin endpoint');
}

function postFile(url: string, token: string, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // node:http rather than fetch: a million-row import may take longer than fetch's header timeout.
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8', accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

export async function importFile(target: Target, file: string, rows: number): Promise<ImportResult> {
  const { pid } = target;
  const fileMb = (await stat(file)).size / 1024 / 1024;
  const rssBeforeMb = rssMb(pid);
  resetPeak(pid);
  const cpu0 = cpuMs(pid);
  const db0 = target.databaseCpuMs?.();
  const t0 = performance.now();
  const { status, body } = await postFile(`${target.admin!.url}/admin/api/v1${IMPORT_PATH}`, target.admin!.token, file);
  const seconds = (performance.now() - t0) / 1000;
  let summary = body.slice(0, 300);
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const rejected = Array.isArray(json.rejected) ? json.rejected.length : json.rejected;
    summary = JSON.stringify({ ...json, rejected });
  } catch {
    // Not JSON: keep the raw start of the answer.
  }
  return {
    rows,
    fileMb,
    seconds,
    rowsPerSecond: rows / seconds,
    serverCpuMs: cpuMs(pid) - cpu0,
    ...(db0 === undefined ? {} : { databaseCpuMs: target.databaseCpuMs!() - db0 }),
    rssBeforeMb,
    peakRssMb: peakRssMb(pid),
    status,
    summary,
  };
}
