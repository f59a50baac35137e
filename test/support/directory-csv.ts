// Builds directory CSV files for tests: one (pupil, guardian) row per entry, defaults for what a test leaves out.
import { Readable } from 'node:stream';
import { COLUMNS, type Column } from '../../src/directory/csv-rows.js';

export type CsvRow = Partial<Record<Column, string>>;

export const SCHOOL_A = { uai: '0750001A', etablissement: 'Collège Jean-Moulin' };
export const SCHOOL_B = { uai: '0750002B', etablissement: 'École Louise-Michel' };

export function pupilRow(overrides: CsvRow = {}): CsvRow {
  return {
    ...SCHOOL_A,
    eleve_id: 'E1',
    ine: '1234567890A',
    eleve_nom: 'MOREAU',
    eleve_prenom: 'Jules',
    eleve_naissance: '2013-04-12',
    niveau: '2115',
    classe: '4eB',
    resp_civilite: 'Mme',
    resp_nom: 'MOREAU',
    resp_prenom: 'Claire',
    resp_mobile: '06 12 34 56 78',
    resp_email: 'claire.moreau@example.org',
    resp_lien: 'mère',
    resp_legal: 'oui',
    ...overrides,
  };
}

function quote(value: string, sep: string): string {
  return /["\n\r]/.test(value) || value.includes(sep) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvText(rows: CsvRow[], options: { sep?: ';' | ','; bom?: boolean; columns?: readonly Column[] } = {}): string {
  const sep = options.sep ?? ';';
  const columns = options.columns ?? COLUMNS;
  const lines = [columns.join(sep), ...rows.map((r) => columns.map((c) => quote(r[c] ?? '', sep)).join(sep))];
  return `${options.bom ? '\uFEFF' : ''}${lines.join('\n')}\n`;
}

export function csvStream(text: string | Buffer, chunkSize = 7): Readable {
  // Small chunks: multi-byte characters and the header end up split across chunks, as on a real network.
  const buffer = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return Readable.from((function* () {
    for (let i = 0; i < buffer.length; i += chunkSize) yield buffer.subarray(i, i + chunkSize);
  })());
}
