// `sesame import`, `sesame letters`, `sesame stats` and `sesame accounts reset-password`: the school directory
// from the command line. The CSV is streamed to the admin API (never read whole), with a progress bar on a terminal.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { adminClient, adminSettingsFromEnv, AdminApiError, resolveToken } from '../admin-client.js';
import { CliError, oneLine } from '../cli-error.js';
import { commandGroup } from '../command-group.js';
import { printJson, printResult, table, type OutputOptions } from '../output.js';
import { assertWritableFolder, writePrivateFile } from '../private-file.js';

interface ImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  detached: number;
  rejected: Array<{ line: number; column: string | null; reason: string }>;
  rejected_rows: number;
  rejected_truncated: boolean;
  rows: number;
  schools: number;
}

/** Streams FILE as the request body; `onBytes` hears how much has been sent. */
async function uploadCsv(file: string, onBytes: (sent: number) => void): Promise<ImportSummary> {
  const settings = adminSettingsFromEnv();
  const token = await resolveToken(settings);
  let sent = 0;
  const source = createReadStream(file);
  source.on('data', (chunk) => onBytes((sent += chunk.length)));
  let response: Response;
  try {
    // No timeout: a whole académie takes minutes; the server answers when every school is applied.
    response = await fetch(`${settings.url}/admin/api/v1/directory/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', accept: 'application/json' },
      body: Readable.toWeb(source) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
  } catch (err) {
    throw new CliError(`the admin API at ${settings.url} is not reachable or closed the connection (${oneLine(String((err as Error).cause ?? err))})`);
  }
  const json = (await response.json().catch(() => undefined)) as (ImportSummary & { error?: string; error_description?: string }) | undefined;
  if (!response.ok || !json) {
    throw new AdminApiError(response.status, json?.error ?? 'http_error', oneLine(json?.error_description ?? `HTTP ${response.status}`));
  }
  return json;
}

function describeImport(s: ImportSummary): string[] {
  const lines = [
    `${s.rows} rows read, ${s.schools} school(s): ${s.added} added, ${s.updated} updated, ${s.unchanged} unchanged, ${s.detached} detached, ${s.rejected_rows} row(s) rejected`,
  ];
  for (const r of s.rejected) lines.push(`  line ${r.line}${r.column ? `, ${r.column}` : ''}: ${r.reason}`);
  if (s.rejected_truncated) lines.push('  … (more problems: see --json or fix these first)');
  return lines;
}

interface StatsFigures {
  pupils: number;
  guardians: number;
  accounts: Record<'eleve' | 'responsable', Record<string, number>>;
  guardians_activated_pct: number;
  pupils_with_activated_guardian_pct: number;
}
type SchoolStats = StatsFigures & { uai: string; name: string; classes: Array<StatsFigures & { classe: string | null }> };

function statsRows(schools: SchoolStats[]): string[] {
  const states = ['non_notifie', 'notifie', 'en_cours', 'active', 'disabled'];
  const cells = (label: string, f: StatsFigures) => [
    label,
    String(f.pupils),
    String(f.guardians),
    `${f.guardians_activated_pct} %`,
    `${f.pupils_with_activated_guardian_pct} %`,
    ...states.map((s) => String((f.accounts.eleve[s] ?? 0) + (f.accounts.responsable[s] ?? 0))),
  ];
  const rows = [['school / class', 'pupils', 'guardians', 'guardians activated', 'pupils covered', ...states]];
  for (const s of schools) {
    rows.push(cells(`${s.uai} ${s.name}`, s));
    for (const c of s.classes) rows.push(cells(`  ${c.classe ?? '(no class)'}`, c));
  }
  return schools.length ? table(rows) : ['no school imported yet'];
}

export function registerDirectoryCommands(program: Command): void {
  program
    .command('import')
    .description('import a school directory CSV (format: docs/directory-format.md); prints what changed and the rejected rows')
    .argument('<file>', 'the CSV file (UTF-8, ; or , separated)')
    .option('--json', 'print the summary as JSON: {added, updated, unchanged, detached, rejected: [{line, column, reason}], …}')
    .action(async (file: string, options: OutputOptions) => {
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch {
        throw new CliError(`cannot read ${file}`);
      }
      const bar = process.stderr.isTTY && !options.json
        ? new cliProgress.SingleBar({ format: 'sending {bar} {percentage}% | {value}/{total} kB', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
        : undefined;
      bar?.start(Math.max(1, Math.ceil(size / 1024)), 0);
      let summary: ImportSummary;
      try {
        summary = await uploadCsv(file, (sent) => {
          bar?.update(Math.ceil(sent / 1024));
          if (bar && sent >= size) bar.stop();
        });
      } finally {
        bar?.stop();
      }
      printResult(options, summary, describeImport);
    });

  program
    .command('letters')
    .description('print notification letters (one page per account with a provisional password) for a school or a class; the accounts become «notifié»')
    .requiredOption('--uai <uai>', 'the school')
    .option('--classe <classe>', 'only this class')
    .requiredOption('--out <file.pdf>', 'where to write the PDF (created readable by you only: it holds passwords)')
    .option('--reprint', 'also cover accounts already notified (their previous letter stops working)')
    .option('--json', 'print the accounts covered as JSON (never the passwords)')
    .action(async (options: OutputOptions & { uai: string; classe?: string; out: string; reprint?: boolean }) => {
      // Checked first: once the server answers, the accounts hold the passwords this PDF carries.
      await assertWritableFolder(options.out);
      const answer = await adminClient().request<{ school: { uai: string; name: string }; count: number; accounts: Array<{ identifiant: string; kind: string; given_name: string; family_name: string }>; pdf: string | null }>(
        'POST',
        '/directory/letters',
        { uai: options.uai, ...(options.classe ? { classe: options.classe } : {}), ...(options.reprint ? { include_notified: true } : {}) },
      );
      if (answer.pdf) await writePrivateFile(options.out, Buffer.from(answer.pdf, 'base64'));
      const result = { school: answer.school, count: answer.count, out: answer.pdf ? options.out : null, accounts: answer.accounts };
      printResult(options, result, (r) =>
        r.count
          ? [`${r.count} letter(s) for ${r.school.name} written to ${r.out}`, ...table(r.accounts.map((a) => [a.identifiant, a.kind, `${a.given_name} ${a.family_name}`]))]
          : `no account left to notify in ${r.school.name}${options.classe ? ` (${options.classe})` : ''}; --reprint covers those already notified`,
      );
    });

  program
    .command('stats')
    .description('activation figures per school and class: accounts per state, % guardians activated, % pupils with an activated guardian')
    .option('--uai <uai>', 'only this school')
    .option('--json', 'print the figures as JSON')
    .action(async (options: OutputOptions & { uai?: string }) => {
      const answer = await adminClient().request<{ schools: SchoolStats[] }>('GET', `/directory/stats${options.uai ? `?uai=${encodeURIComponent(options.uai)}` : ''}`);
      printResult(options, answer, (a) => statsRows(a.schools));
    });

  const accounts = commandGroup(program, 'accounts', 'accounts of parents (responsables) and pupils (élèves)');
  accounts
    .command('reset-password')
    .description('give an account a new provisional password (shown once; valid 3 months); the current password keeps working until the provisional one is used, unless --revoke')
    .argument('<identifiant>', 'e.g. claire.moreau')
    .option('--revoke', 'also remove the current password at once and end every session and refresh token of the account (relying parties are told by back-channel logout)')
    .option('--json', 'print JSON')
    .action(async (identifiant: string, options: OutputOptions & { revoke?: boolean }) => {
      const answer = await adminClient().request<{ identifiant: string; provisional_password: string; expires_at: string; revoked: boolean; sessions_ended?: boolean }>(
        'POST',
        `/accounts/${encodeURIComponent(identifiant)}/reset-password`,
        options.revoke ? { revoke: true } : {},
      );
      if (options.json) return printJson(answer);
      printResult(options, answer, (a) => [
        `identifiant:          ${a.identifiant}`,
        `provisional password: ${a.provisional_password}`,
        `valid until:          ${a.expires_at.slice(0, 10)}`,
        a.revoked
          ? a.sessions_ended === false
            ? 'current password removed; ending the sessions failed (see the server log): they are refused meanwhile, run the reset again to end them'
            : 'current password removed; every session and refresh token of the account ended'
          : 'current password still works until the provisional one is used (--revoke removes it at once)',
      ]);
    });
}
