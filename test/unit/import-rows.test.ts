import { describe, expect, it } from 'vitest';
import { PayloadTooLarge, ValidationFailed } from '#shared/domain/errors';
import { assertImportSize, readCsv, readNdjson } from '#shared/domain/import-file';
import { IMPORT_LIMITS } from '#shared/domain/import-limits';
import {
  checkCsvHeader,
  chunkRows,
  cleanRecord,
  type ImportRow,
  mergeRowIntoCustomer,
  prepareRows,
} from '#shared/domain/import-rows';
import type { Customer } from '#shared/schemas/customer';

const csv = (text: string) => prepareRows(readCsv(text, checkCsvHeader));

describe('reading an import file', () => {
  it('maps CSV columns to a cleaned customer request (same normalization as POST /customers)', () => {
    const [row] = csv(
      'firstName,lastName,email,phone,title,lifecycleStage,tags,emailConsent\n' +
        ' Ada , Lovelace ,ADA@Example.COM,(415) 555-0123,Countess,prospect, VIP ; engineer ;,granted\n',
    );
    expect(row).toEqual({
      row: 1,
      request: {
        name: 'Ada Lovelace',
        emails: [{ address: 'ada@example.com', label: 'work' }],
        phones: [{ number: '+14155550123', label: 'mobile' }],
        title: 'Countess',
        lifecycleStage: 'prospect',
        tags: ['vip', 'engineer'],
        consent: { email: { status: 'granted', source: 'import' } },
      },
    });
  });

  it('skips an invalid row with the CSV column and the message', () => {
    const rows = csv('name,email,phone\nAda,not-an-email,\nBob,,12\n,bob@example.com,\n');
    expect(rows).toEqual([
      { row: 1, skip: expect.stringMatching(/^email: /) },
      { row: 2, skip: 'phone: Not a valid phone number' },
      { row: 3, skip: expect.stringMatching(/^name: /) },
    ]);
  });

  it('refuses a header with an unknown column, naming it', () => {
    expect(() => csv('name,emial\nAda,a@example.com\n')).toThrow(ValidationFailed);
    try {
      csv('name,emial\nAda,a@example.com\n');
    } catch (error) {
      expect((error as ValidationFailed).issues[0]).toMatchObject({ field: 'line 1.emial' });
    }
  });

  it('refuses a malformed CSV naming the line (unclosed quote)', () => {
    const attempt = () => csv('name,email\nAda,ada@example.com\n"Bob,bob@example.com\nCy,cy@example.com\n');
    expect(attempt).toThrow(ValidationFailed);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationFailed).issues[0]?.field).toMatch(/^line \d+$/);
      expect((error as ValidationFailed).message).toMatch(/Line \d+/);
    }
  });

  it('refuses a row with more cells than the header, naming its line', () => {
    try {
      csv('name,email\nAda,ada@example.com\nBob,bob@example.com,extra\n');
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationFailed).issues[0]?.field).toBe('line 3');
    }
  });

  it('reads JSON lines; a line that is not JSON or not a valid request is one skipped row', () => {
    const rows = prepareRows(
      readNdjson(
        '{"name":"Ada","emails":[{"address":"ada@example.com"}]}\n\n{oops\n{"name":"Bob","role":"x"}\n',
      ),
    );
    expect(rows).toEqual([
      { row: 1, request: { name: 'Ada', emails: [{ address: 'ada@example.com', label: 'work' }] } },
      { row: 2, skip: 'row: Not a valid JSON object' },
      { row: 3, skip: 'role: Unknown field' },
    ]);
  });

  it('refuses more rows than the limit (413), and a body over its byte limit before parsing', () => {
    const lines = `${'{"name":"A"}\n'.repeat(IMPORT_LIMITS.rows + 1)}`;
    expect(() => readNdjson(lines)).toThrow(PayloadTooLarge);
    expect(() => assertImportSize(IMPORT_LIMITS.bytes['text/csv'] + 1, 'text/csv')).toThrow(
      /5,000,000 bytes/,
    );
    expect(() => assertImportSize(IMPORT_LIMITS.bytes['text/csv'], 'text/csv')).not.toThrow();
    expect(() => assertImportSize(4_600_000, 'application/x-ndjson')).toThrow(PayloadTooLarge);
  });
});

describe('duplicates within the file', () => {
  it('skips a later row with the e-mail or the phone of an earlier valid row', () => {
    const rows = csv(
      'name,email,phone\nAda,ada@example.com,\nBad,bad,\nAda again,ADA@example.com,\nCy,,+14155550123\nCy again,cy@example.com,(415) 555-0123\n',
    );
    expect(rows.map((row) => ('skip' in row ? row.skip : 'ok'))).toEqual([
      'ok',
      expect.stringMatching(/^email/),
      'duplicate of row 1',
      'ok',
      'duplicate of row 4',
    ]);
  });
});

describe('chunks', () => {
  const rows: ImportRow[] = Array.from({ length: 25 }, (_, i) => ({ row: i + 1, skip: 'x'.repeat(i % 3) }));

  it('cuts at the row limit and at the byte limit, keeping order', () => {
    expect(chunkRows(rows, { chunkRows: 10, chunkBytes: 1e6 }).map((chunk) => chunk.length)).toEqual([
      10, 10, 5,
    ]);
    const bySize = chunkRows(rows, { chunkRows: 1000, chunkBytes: 100 });
    expect(bySize.length).toBeGreaterThan(3);
    for (const chunk of bySize) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThan(140);
    expect(bySize.flat()).toEqual(rows);
  });

  it('the largest file fits in the chunk count of one transaction', () => {
    const most = Math.ceil(IMPORT_LIMITS.rows / IMPORT_LIMITS.chunkRows);
    const bytes = Math.ceil((IMPORT_LIMITS.bytes['text/csv'] * 1.5) / IMPORT_LIMITS.chunkBytes);
    expect(most + bytes).toBeLessThanOrEqual(IMPORT_LIMITS.maxChunks);
  });
});

describe('merging a row into an existing customer', () => {
  const customer = {
    id: '01JDQ3Z7YB8V5X1G6N2K4M9P0R',
    name: 'Ada Lovelace',
    emails: [{ address: 'ada@example.com', label: 'work' }],
    phones: [],
    tags: ['vip'],
    title: 'Countess',
    lifecycleStage: 'lead',
  } as unknown as Customer;

  it('takes the row’s non-empty fields and adds e-mails, phones and tags', () => {
    const patch = mergeRowIntoCustomer(customer, {
      name: 'Ada King',
      emails: [
        { address: 'ada@example.com', label: 'work' },
        { address: 'ada@home.example', label: 'home' },
      ],
      phones: [{ number: '+14155550123', label: 'mobile' }],
      tags: ['vip', 'math'],
    });
    expect(patch).toEqual({
      name: 'Ada King',
      emails: [
        { address: 'ada@example.com', label: 'work' },
        { address: 'ada@home.example', label: 'home' },
      ],
      phones: [{ number: '+14155550123', label: 'mobile' }],
      tags: ['vip', 'math'],
    });
    expect(patch).not.toHaveProperty('title');
  });

  it('leaves lists alone when the row adds nothing to them', () => {
    expect(mergeRowIntoCustomer(customer, { name: 'Ada Lovelace', tags: ['vip'] })).toEqual({
      name: 'Ada Lovelace',
    });
  });

  it('cleans a record exactly once: a stored cleaned row parses to itself', () => {
    const row = cleanRecord({ row: 1, fields: { name: 'Ada', email: 'A@B.example', phone: '415 555 0123' } });
    expect('request' in row && cleanRecord({ row: 1, fields: { json: row.request } })).toEqual(row);
  });
});

describe('CSV header and name messages', () => {
  it('refuses a column given twice, and says which name columns are empty', () => {
    expect(() => checkCsvHeader(['name', 'email', 'name'])).toThrow(
      expect.objectContaining({
        issues: [expect.objectContaining({ field: 'line 1.name', detail: 'Column given more than once' })],
      }),
    );
    expect(cleanRecord({ row: 4, fields: { firstName: ' ', lastName: '' } })).toEqual({
      row: 4,
      skip: 'name: the name (or firstName and lastName) is empty',
    });
  });
});
