// How commands print their result: JSON with --json (or when the command always answers JSON), a short
// readable summary otherwise. Results go to stdout; prompts and errors go to stderr.
export interface OutputOptions {
  json?: boolean | undefined;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints `value` as JSON under --json, else the lines `human` makes of it. */
export function printResult<T>(options: OutputOptions, value: T, human: (value: T) => string | string[]): void {
  if (options.json) return printJson(value);
  const text = human(value);
  process.stdout.write(`${Array.isArray(text) ? text.join('\n') : text}\n`);
}

/** `key: value` lines for a flat record (arrays joined with commas), in the record's own order. */
export function describeRecord(record: Record<string, unknown>): string[] {
  const width = Math.max(0, ...Object.keys(record).map((k) => k.length));
  return Object.entries(record).map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${formatValue(value)}`);
}

/** Rows as aligned columns (the last column is not padded). */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.length ? value.map(formatValue).join(', ') : '(none)';
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
