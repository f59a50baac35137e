// Profiles one directory import in-process against a fresh PostgreSQL database: time per SQL statement shape,
// phases (read/stage, apply), peak RSS. `tsx bench/import-profile.ts ROWS [--twice] [--one-changed | --outside]`;
// for finding where time goes. The second run imports the same file (recognised whole), or with `--one-changed` the
// file with one school renamed (the other schools skipped one by one; then a third run imports that file again), or with `--outside` the same file after a
// write made outside the import (every school compared again, nothing skipped).
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { importDirectory } from '../src/directory/import.js';
import { migrate, type Db } from '../src/store/database.js';
import type { Database } from '../src/store/schema.js';
import { writeDirectoryCsv } from './directory-csv.js';
import { cpuMs } from './proc-stats.js';

const rows = Number(process.argv[2] ?? 100000);
const twice = process.argv.includes('--twice');
const oneChanged = process.argv.includes('--one-changed');
const outside = process.argv.includes('--outside');

/** The file with its first school renamed: that school's rows change, no other's. */
async function withOneSchoolChanged(from: string, to: string) {
  const out = createWriteStream(to);
  for await (const line of createInterface({ input: createReadStream(from) })) {
    if (!out.write(`${line.replace(';Collège 0;', ';Collège 0 bis;')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
const base = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = process.env.KEEP_DB ?? `import_profile_${process.pid}`;

async function admin(q: string) {
  const c = new pg.Client({ connectionString: `${base}/postgres` });
  await c.connect();
  try { await c.query(q); } finally { await c.end(); }
}

const stats = new Map<string, { n: number; ms: number }>();
let peak = 0;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);

if (!process.env.KEEP_DB) await admin(`create database "${name}"`);
pg.types.setTypeParser(1082, (v: string) => v);
// Idle connections are kept, so that their backends' CPU time can be read at the end of each run.
const pool = new pg.Pool({ connectionString: `${base}/${name}`, max: 10, idleTimeoutMillis: 0 });

/**
 * CPU time of this database's backends so far, in s (the server is local): with the machine shared, CPU time
 * compares runs better than wall time does.
 */
async function backendsCpu(): Promise<number> {
  const pids = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db);
  let ms = 0;
  for (const { pid } of pids.rows) {
    try { ms += cpuMs(pid); } catch { /* ended meanwhile */ }
  }
  return ms / 1000;
}
const db: Db = new Kysely<Database>({
  dialect: new PostgresDialect({ pool }),
  log(event) {
    const key = event.query.sql.replace(/\s+/g, ' ').trim().slice(0, 90);
    const s = stats.get(key) ?? { n: 0, ms: 0 };
    s.n += 1; s.ms += event.queryDurationMillis;
    stats.set(key, s);
  },
});
try {
  await migrate(db);
  const file = `/tmp/imp/dir-${rows}.csv`;
  await writeDirectoryCsv(file, rows);
  if (oneChanged) await withOneSchoolChanged(file, `${file}.changed`);
  for (let run = 1; run <= (twice ? (oneChanged ? 3 : 2) : 1); run += 1) {
    if (run === 2 && outside) await sql`update schools set name = name where uai = (select min(uai) from schools)`.execute(db);
    stats.clear();
    peak = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const pgCpu0 = await backendsCpu();
    let tRead = 0;
    let tApply = 0;
    // CPU (Node, PostgreSQL) at the last read progress and at the first school: the phases' shares.
    let cpuRead = [0, 0];
    let cpuApply = [0, 0];
    const cpuNow = async () => [process.cpuUsage(cpu0), (await backendsCpu()) - pgCpu0] as const;
    const nodeS = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
    const summary = await importDirectory(db, createReadStream(run >= 2 && oneChanged ? `${file}.changed` : file), {
      identifierStyle: 'prenom.nom',
      onProgress: async (p) => {
        if (p.phase === 'read') {
          tRead = performance.now();
          const [n, g] = await cpuNow();
          cpuRead = [nodeS(n), g];
        } else if (!tApply) {
          tApply = performance.now();
          const [n, g] = await cpuNow();
          cpuApply = [nodeS(n), g];
        }
      },
    });
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const pgCpu = (await backendsCpu()) - pgCpu0;
    const { rejected, ...rest } = summary;
    console.log(`run ${run}: ${rows} rows in ${s.toFixed(1)} s = ${Math.round(rows / s)} rows/s; peak RSS ${Math.round(peak / 1048576)} MB; Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; PostgreSQL CPU ${pgCpu.toFixed(1)} s; rejected ${rejected.length}`);
    if (!tApply) console.log('  file recognised: not read again');
    else {
      const total = [nodeS(cpu), pgCpu];
      const c = (a: number[], b: number[]) => `CPU Node ${(b[0]! - a[0]!).toFixed(1)} s + PostgreSQL ${(b[1]! - a[1]!).toFixed(1)} s`;
      console.log(`  read+stage ${((tRead - t0) / 1000).toFixed(1)} s (${c([0, 0], cpuRead)}), group+assign ${((tApply - tRead) / 1000).toFixed(1)} s (${c(cpuRead, cpuApply)}), schools ${((performance.now() - tApply) / 1000).toFixed(1)} s (${c(cpuApply, total)})`);
    }
    console.log(JSON.stringify(rest));
    const top = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
    for (const [k, v] of top) console.log(`${(v.ms / 1000).toFixed(2).padStart(8)} s ${String(v.n).padStart(6)}×  ${k}`);
  }
} finally {
  clearInterval(timer);
  await db.destroy();
  if (!process.env.KEEP_DB) await admin(`drop database if exists "${name}" with (force)`);
}
