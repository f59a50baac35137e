// Reads a directory CSV as a stream of records: strict UTF-8 (with or without BOM), `;` or `,` detected from the
// header line, quoted fields. Yields each record with the line it starts on; never holds the whole file.
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';

/** The file as a whole cannot be read: nothing of it may be applied. The message is French, for the operator. */
export class DirectoryFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryFileError';
  }
}

export interface CsvRecord {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

/** Longest record accepted: far beyond any real row, small enough that a file without line breaks cannot eat memory. */
const MAX_RECORD_BYTES = 64 * 1024;

async function* decodeUtf8(input: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<string> {
  // fatal: a Latin-1 export (common from office software) is refused rather than imported with broken accents.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of input) {
      const text = decoder.decode(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, { stream: true });
      if (text) yield text;
    }
    const tail = decoder.decode();
    if (tail) yield tail;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new DirectoryFileError('Le fichier n’est pas encodé en UTF-8 : enregistrez-le en « CSV UTF-8 » puis recommencez.');
    }
    throw err;
  }
}

/** `;` unless the header line has more commas than semicolons. */
export function detectDelimiter(headerLine: string): ';' | ',' {
  const count = (c: string) => headerLine.split(c).length - 1;
  return count(',') > count(';') ? ',' : ';';
}

function fileErrorFrom(err: unknown): unknown {
  if (!(err instanceof CsvError)) return err;
  const line = (err as CsvError & { lines?: number }).lines;
  const where = line ? ` (ligne ${line})` : '';
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new DirectoryFileError(`Le fichier ne peut pas être lu : un guillemet ouvert n’est jamais fermé${where}.`);
    case 'CSV_MAX_RECORD_SIZE':
      return new DirectoryFileError(`Le fichier ne peut pas être lu : une ligne dépasse ${MAX_RECORD_BYTES / 1024} Kio${where}.`);
    default:
      return new DirectoryFileError(`Le fichier ne peut pas être lu comme un CSV${where}.`);
  }
}

export async function* readCsvRecords(input: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<CsvRecord> {
  const text = decodeUtf8(input)[Symbol.asyncIterator]();
  let head = '';
  // The header decides the separator; read just enough of the file to hold it.
  while (!head.includes('\n') && head.length < MAX_RECORD_BYTES) {
    const next = await text.next();
    if (next.done) break;
    head += next.value;
  }
  head = head.replace(/^\uFEFF/, '');
  if (head.trim() === '') throw new DirectoryFileError('Le fichier est vide.');
  const delimiter = detectDelimiter(head.split('\n', 1)[0]!);

  const parser = parse({
    delimiter,
    bom: true,
    trim: true,
    info: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  const source = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const next = await text.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      // Line breaks inside quoted fields (rare): the record starts that many lines before where it ends.
      let breaks = 0;
      for (const field of record) if (field.includes('\n')) breaks += field.split('\n').length - 1;
      yield { line: info.lines - breaks, fields: record };
    }
  } catch (err) {
    throw fileErrorFrom(err);
  } finally {
    source.destroy();
  }
}
