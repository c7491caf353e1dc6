import { describe, expect, it } from 'vitest';
import { IMPORT_LIMITS } from '#shared/domain/import-limits';
import { useE2eSuite } from '../helpers/e2e-client.ts';

/**
 * Imports over HTTP on the local runtime: the stream poller runs the import worker exactly as the
 * event-source mapping does in AWS. Every response is checked against the served OpenAPI document.
 */
const { suite, call } = useE2eSuite();

const run = Math.random().toString(36).slice(2, 8);
const csv =
  'firstName,lastName,email,phone,tags,emailConsent\n' +
  `Ada,Lovelace,ada-${run}@example.com,+44 20 7946 0958,vip;engineer,granted\n` +
  `Charles,Babbage,charles-${run}@example.com,,,\n` +
  `Ada,Again,ADA-${run}@example.com,,,\n` +
  `"Bad, Row",,not-an-email,,,\n`;

describe('imports API end to end', () => {
  it('imports a CSV: 202 with the job, then GET reports it completed with the skipped rows', async () => {
    const posted = await call('POST', '/imports', { role: 'manager', body: csv, contentType: 'text/csv' });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ status: 'queued', total: 4, processed: 0 });
    expect(posted.headers.get('location')).toBe(`/imports/${posted.body.id}`);

    await suite.runtime.waitForIdle();
    const job = await call('GET', '/imports/{id}', { path: `/imports/${posted.body.id}`, role: 'admin' });
    expect(job.body).toMatchObject({
      status: 'completed',
      total: 4,
      processed: 4,
      created: 2,
      updated: 0,
      skipped: 2,
      skippedRows: [
        { row: 3, reason: 'duplicate of row 1' },
        { row: 4, reason: expect.stringMatching(/^email: /) },
      ],
    });
    const found = await call('GET', '/customers', {
      path: `/customers?email=ada-${run}@example.com`,
      role: 'admin',
    });
    expect(found.body.items).toMatchObject([
      { name: 'Ada Lovelace', phones: [{ number: '+442079460958' }], tags: ['vip', 'engineer'] },
    ]);
  });

  it('imports JSON lines (base64-encoded by API Gateway) and updates the customer it already has', async () => {
    const body =
      `{"name":"Ada Lovelace","emails":[{"address":"ada-${run}@example.com"}],"title":"Countess"}\n` +
      `{"name":"Grace Hopper","emails":[{"address":"grace-${run}@example.com"}]}\n`;
    const posted = await call('POST', '/imports', {
      role: 'admin',
      body,
      contentType: 'application/x-ndjson',
    });
    expect(posted.status).toBe(202);
    await suite.runtime.waitForIdle();
    const job = await call('GET', '/imports/{id}', { path: `/imports/${posted.body.id}`, role: 'admin' });
    expect(job.body).toMatchObject({ status: 'completed', created: 1, updated: 1, skipped: 0 });
  });

  it('answers a repeated Idempotency-Key with the first job', async () => {
    const headers = { 'idempotency-key': `import-${run}` };
    const body = `name\nIdem ${run}\n`;
    const first = await call('POST', '/imports', { role: 'admin', body, contentType: 'text/csv', headers });
    const second = await call('POST', '/imports', { role: 'admin', body, contentType: 'text/csv', headers });
    expect(second.body.id).toBe(first.body.id);
    await suite.runtime.waitForIdle();
  });

  it('refuses bad uploads with problem details: 415, 400 naming the line, 413 naming the limit, 403', async () => {
    const json = await call('POST', '/imports', {
      role: 'admin',
      body: '{}',
      contentType: 'application/json',
    });
    expect(json.status).toBe(415);
    const malformed = await call('POST', '/imports', {
      role: 'admin',
      body: 'name,email\nAda,ada@example.com\n"Bob,bob@example.com\n',
      contentType: 'text/csv',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/^Line \d+/);
    const unknown = await call('POST', '/imports', {
      role: 'admin',
      body: 'name,emial\nAda,a@b.example\n',
      contentType: 'text/csv',
    });
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'line 1.emial' })]);
    const rows = await call('POST', '/imports', {
      role: 'admin',
      body: `name\n${'A\n'.repeat(IMPORT_LIMITS.rows + 1)}`,
      contentType: 'text/csv',
    });
    expect(rows.status).toBe(413);
    expect(rows.body.detail).toContain('50,000 rows');
    const bytes = await call('POST', '/imports', {
      role: 'admin',
      body: `name\n${'x'.repeat(IMPORT_LIMITS.bytes['text/csv'])}\n`,
      contentType: 'text/csv',
    });
    expect(bytes.status).toBe(413);
    expect(bytes.body.detail).toContain('5,000,000 bytes');
    const sales = await call('POST', '/imports', {
      role: 'sales',
      body: 'name\nA\n',
      contentType: 'text/csv',
    });
    expect(sales.status).toBe(403);
    const missing = await call('GET', '/imports/{id}', {
      path: '/imports/01JDQ3Z7YB8V5X1G6N2K4M9P0R',
      role: 'admin',
    });
    expect(missing.status).toBe(404);
  });

  it('every response matched the served OpenAPI document', () => {
    expect(suite.api.violations).toEqual([]);
  });
});
