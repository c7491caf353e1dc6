import type * as z from 'zod';
import { CreateCustomerRequest, type Customer, type UpdateCustomerRequest } from '#shared/schemas/customer';
import { ValidationFailed } from './errors.ts';
import type { ImportRecord } from './import-file.ts';
import { IMPORT_LIMITS } from './import-limits.ts';

/**
 * Import rules, pure: a file record → a cleaned CreateCustomerRequest (the same zod schema and
 * normalization as POST /customers), duplicates within the file, chunking, and how a row merges
 * into a customer that already has its e-mail or phone.
 */

/** CSV columns, named after customer fields. Cells are trimmed; an empty cell is no value. */
export const CSV_COLUMNS = {
  name: 'Full name (or firstName and lastName)',
  firstName: 'Joined with lastName into the name',
  lastName: 'Joined with firstName into the name',
  email: 'One e-mail address (lower-cased)',
  phone: 'One phone number, any usual notation (stored as E.164)',
  company: 'Company name',
  title: 'Job title',
  lifecycleStage: 'lead, prospect, customer, loyal, at-risk or churned',
  ownerId: 'User id of the owner (default: the importer)',
  tags: 'Tags separated by ;',
  emailConsent: 'granted or denied (source "import")',
} as const;
type CsvColumn = keyof typeof CSV_COLUMNS;

/** Unknown columns reject the file: a misspelt header would otherwise drop a column silently. */
export const checkCsvHeader = (columns: string[]): void => {
  const unknown = columns.filter((column) => !(column in CSV_COLUMNS));
  const issues = unknown.map((column) => ({
    in: 'body' as const,
    field: `line 1.${column}`,
    detail: `Unknown column; columns are ${Object.keys(CSV_COLUMNS).join(', ')}`,
  }));
  // A column given twice: which of its cells would win is anybody's guess.
  for (const column of new Set(columns.filter((column, index) => columns.indexOf(column) !== index))) {
    issues.push({ in: 'body', field: `line 1.${column}`, detail: 'Column given more than once' });
  }
  if (!columns.includes('name') && !columns.includes('firstName') && !columns.includes('lastName')) {
    issues.push({ in: 'body', field: 'line 1', detail: 'A name, firstName or lastName column is required' });
  }
  if (issues.length > 0) throw new ValidationFailed(issues, 'The header row (line 1) is not valid.');
};

/** A row as the worker gets it: the cleaned request, or why it is skipped. */
export type ImportRow = { row: number; request: CreateCustomerRequest } | { row: number; skip: string };

const cell = (fields: Record<string, string>, column: CsvColumn) => {
  const value = fields[column]?.trim();
  return value ? value : undefined;
};

/** A CSV record as the body of POST /customers would carry it. */
export const csvRecordToInput = (fields: Record<string, string>): Record<string, unknown> => {
  const name =
    cell(fields, 'name') ?? [cell(fields, 'firstName'), cell(fields, 'lastName')].filter(Boolean).join(' ');
  const email = cell(fields, 'email');
  const phone = cell(fields, 'phone');
  const tags = cell(fields, 'tags');
  const consent = cell(fields, 'emailConsent');
  const input: Record<string, unknown> = {
    name: name || undefined,
    emails: email ? [{ address: email }] : undefined,
    phones: phone ? [{ number: phone }] : undefined,
    company: cell(fields, 'company'),
    title: cell(fields, 'title'),
    lifecycleStage: cell(fields, 'lifecycleStage'),
    ownerId: cell(fields, 'ownerId'),
    tags: tags
      ?.split(';')
      .map((tag) => tag.trim())
      .filter(Boolean),
    consent: consent ? { email: { status: consent.toLowerCase(), source: 'import' } } : undefined,
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
};

/** Request paths back to the CSV column a user can fix. */
const CSV_FIELD: [RegExp, string][] = [
  [/^emails\.0\.address$/, 'email'],
  [/^phones\.0\.number$/, 'phone'],
  [/^tags(\.\d+)?$/, 'tags'],
  [/^consent\.email\.status$/, 'emailConsent'],
];
const csvField = (path: string) => CSV_FIELD.find(([pattern]) => pattern.test(path))?.[1] ?? path;

const reasonOf = (error: z.ZodError, csv: boolean) => {
  const issue = error.issues[0];
  const path = issue?.path.join('.') ?? '';
  const field = csv ? csvField(path) : path;
  if (csv && field === 'name' && issue?.code === 'invalid_type')
    return 'name: the name (or firstName and lastName) is empty';
  // An unknown key is named as the field itself (`row.__proto__` would say nothing).
  if (issue?.code === 'unrecognized_keys')
    return `${[path, ...issue.keys].filter(Boolean).join('.')}: Unknown field`;
  return `${field || 'row'}: ${issue?.message ?? 'Not valid'}`;
};

/** Cleans one record with the customer schema; a bad record is skipped with the field and message. */
export const cleanRecord = (record: ImportRecord): ImportRow => {
  const { row, fields } = record;
  if ('error' in fields && typeof fields.error === 'string') return { row, skip: `row: ${fields.error}` };
  const csv = !('json' in fields);
  const input = csv ? csvRecordToInput(fields as Record<string, string>) : (fields as { json: unknown }).json;
  const parsed = CreateCustomerRequest.safeParse(input);
  return parsed.success ? { row, request: parsed.data } : { row, skip: reasonOf(parsed.error, csv) };
};

const contactKeys = (request: CreateCustomerRequest) => [
  ...(request.emails ?? []).map((entry) => `email:${entry.address}`),
  ...(request.phones ?? []).map((entry) => `phone:${entry.number}`),
];

/**
 * A later row with an e-mail address or phone number an earlier (valid) row already has is
 * skipped as `duplicate of row N`: the file names one person once.
 */
export const skipDuplicates = (rows: readonly ImportRow[]): ImportRow[] => {
  const firstRowWith = new Map<string, number>();
  return rows.map((row) => {
    if (!('request' in row)) return row;
    const keys = contactKeys(row.request);
    const earlier = keys.map((key) => firstRowWith.get(key)).find((n) => n !== undefined);
    if (earlier !== undefined) return { row: row.row, skip: `duplicate of row ${earlier}` };
    for (const key of keys) firstRowWith.set(key, row.row);
    return row;
  });
};

/**
 * Splits rows into chunks of at most `chunkRows` rows and about `chunkBytes` serialized, so each
 * chunk item stays far under DynamoDB's 400 KB.
 */
export const chunkRows = (
  rows: readonly ImportRow[],
  limits: { chunkRows: number; chunkBytes: number } = IMPORT_LIMITS,
): ImportRow[][] => {
  const chunks: ImportRow[][] = [];
  let current: ImportRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row));
    if (current.length > 0 && (current.length >= limits.chunkRows || bytes + size > limits.chunkBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

const union = <T>(existing: readonly T[], added: readonly T[] | undefined, key: (item: T) => string) => {
  const seen = new Set(existing.map(key));
  const extra = (added ?? []).filter((item) => !seen.has(key(item)));
  return extra.length > 0 ? [...existing, ...extra] : undefined;
};

/**
 * The merge patch that brings a row into the customer who already has its e-mail or phone: the
 * row's non-empty fields replace the customer's, e-mail addresses, phone numbers and tags are
 * added to the customer's (never removed), consent and custom attributes merge per key. Fields the
 * row does not have stay as they are.
 */
export const mergeRowIntoCustomer = (
  customer: Customer,
  row: CreateCustomerRequest,
): UpdateCustomerRequest => {
  const { emails, phones, tags, ...rest } = row;
  const patch: Record<string, unknown> = { ...rest };
  const mergedEmails = union(customer.emails, emails, (entry) => entry.address);
  const mergedPhones = union(customer.phones, phones, (entry) => entry.number);
  const mergedTags = union(customer.tags, tags, (tag) => tag);
  if (mergedEmails) patch.emails = mergedEmails;
  if (mergedPhones) patch.phones = mergedPhones;
  if (mergedTags) patch.tags = mergedTags;
  return patch as UpdateCustomerRequest;
};

/** The e-mail addresses and phone numbers by which a row finds an existing customer. */
export const rowContacts = (row: CreateCustomerRequest) => ({
  emails: (row.emails ?? []).map((entry) => entry.address),
  phones: (row.phones ?? []).map((entry) => entry.number),
});

/** The file's rows, cleaned and with in-file duplicates marked: what the import job will work on. */
export const prepareRows = (records: readonly ImportRecord[]): ImportRow[] =>
  skipDuplicates(records.map(cleanRecord));
