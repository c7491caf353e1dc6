import { CsvError, parse } from 'csv-parse/sync';
import { PayloadTooLarge, ValidationFailed } from './errors.ts';
import { IMPORT_LIMITS, type ImportContentType } from './import-limits.ts';

/** Reading an import file into records. Pure: no I/O, the text is already in memory. */

/** One record of the file: its row number (1-based, header not counted) and its raw fields. */
export interface ImportRecord {
  row: number;
  /** CSV: column → cell text; NDJSON: the parsed line, or a parse error. */
  fields: Record<string, string> | { json: unknown } | { error: string };
}

/**
 * Checked before anything is parsed: a body over the byte limit of its media type is refused
 * whole (413), naming the limit.
 */
export const assertImportSize = (byteLength: number, contentType: ImportContentType): void => {
  const limit = IMPORT_LIMITS.bytes[contentType];
  if (byteLength > limit) {
    throw new PayloadTooLarge(
      `An import may hold at most ${limit.toLocaleString('en-US')} bytes of ${contentType}; this one has ${byteLength.toLocaleString('en-US')}.`,
    );
  }
};

const tooManyRows = () =>
  new PayloadTooLarge(
    `An import may hold at most ${IMPORT_LIMITS.rows.toLocaleString('en-US')} rows; split the file.`,
  );

const malformed = (line: number | undefined, detail: string) =>
  new ValidationFailed(
    [{ in: 'body', field: line === undefined ? '' : `line ${line}`, detail }],
    line === undefined
      ? `The file is not valid: ${detail}`
      : `Line ${line} of the file is not valid: ${detail}`,
  );

/**
 * CSV with a header row (columns are checked by the caller). Structural errors (an unclosed quote,
 * a row with another number of cells than the header) reject the whole file, naming the line:
 * past such an error the rest of the file cannot be trusted.
 */
export const readCsv = (text: string, checkHeader: (columns: string[]) => void): ImportRecord[] => {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, {
      columns: (header: string[]) => {
        checkHeader(header);
        return header;
      },
      bom: true,
      skip_empty_lines: true,
      trim: true,
      // One record past the limit is enough to know the file is too long.
      to: IMPORT_LIMITS.rows + 1,
    });
  } catch (error) {
    if (error instanceof CsvError) {
      const { lines } = error as CsvError & { lines?: number };
      throw malformed(lines, error.message.replace(/^[^:]*:\s*/, ''));
    }
    throw error;
  }
  if (rows.length > IMPORT_LIMITS.rows) throw tooManyRows();
  return rows.map((fields, index) => ({ row: index + 1, fields }));
};

/**
 * JSON lines: one object per non-empty line. A line that is not JSON is one bad row (skipped with
 * its reason), not a bad file: each line stands alone.
 */
export const readNdjson = (text: string): ImportRecord[] => {
  const records: ImportRecord[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (records.length === IMPORT_LIMITS.rows) throw tooManyRows();
    const row = records.length + 1;
    try {
      records.push({ row, fields: { json: JSON.parse(line) } });
    } catch {
      records.push({ row, fields: { error: 'Not a valid JSON object' } });
    }
  }
  return records;
};
