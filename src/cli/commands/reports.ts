// `sesame reports`: the wrong-attachment reports parents made from «Mes enfants» («Je ne suis pas le représentant
// légal de cet élève»), for a school to correct its records.
import type { Command } from 'commander';
import { adminClient } from '../admin-client.js';
import { CliError } from '../cli-error.js';
import { printResult, table, type OutputOptions } from '../output.js';

interface Report {
  id: string;
  status: string;
  created_at: string;
  uai: string;
  school_name: string;
  pupil: { id: string; given_names: string; family_name: string; class_name: string | null };
  guardian: { id: string; given_name: string; family_name: string };
  reported_by: string;
}

export function registerReportCommands(program: Command): void {
  program
    .command('reports')
    .description('list the reports of parents who say they are not the legal guardian of a child linked to them')
    .option('--uai <uai>', 'only this school')
    .option('--json', 'print JSON')
    .action(async (options: OutputOptions & { uai?: string }) => {
      const uai = options.uai?.trim().toUpperCase();
      if (uai !== undefined && !/^[0-9]{7}[A-Z]$/.test(uai)) throw new CliError(`--uai must be a UAI code (7 digits and a letter), got "${options.uai}"`);
      const { reports } = await adminClient().request<{ reports: Report[] }>('GET', `/reports${uai ? `?uai=${uai}` : ''}`);
      printResult(options, reports, (rows) =>
        rows.length === 0
          ? `No report${uai ? ` for ${uai}` : ''}.`
          : table([
              ['REPORTED', 'STATUS', 'UAI', 'CLASS', 'PUPIL', 'GUARDIAN', 'BY'],
              ...rows.map((r) => [
                r.created_at, r.status, r.uai, r.pupil.class_name ?? '', `${r.pupil.family_name} ${r.pupil.given_names}`,
                `${r.guardian.family_name} ${r.guardian.given_name}`, r.reported_by,
              ]),
            ]),
      );
    });
}
