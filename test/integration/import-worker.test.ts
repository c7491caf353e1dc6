import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '#shared/clients/dynamodb';
import type { Actor } from '#shared/domain/actor';
import * as customers from '#shared/use-cases/customers';
import { getImport, importChunk, startImport } from '#shared/use-cases/imports';
import { allItems } from '../helpers/table-items.ts';
import { createTestTable } from '../support/local-services.ts';

/**
 * The import worker's use case on DynamoDB Local: a chunk run twice at once, or run again after a
 * crash half way, still writes each person exactly once and ends with exact counts.
 */
const admin: Actor = { userId: 'dev-admin', roles: ['admin'], correlationId: 'import-test' };
const tag = () => Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  await createTestTable();
});
afterEach(() => vi.restoreAllMocks());

/** 40 people: 30 new with an e-mail, 5 with no contact at all, 1 existing by e-mail, a duplicate, an invalid row. */
const fileFor = async (run: string) => {
  const existing = await customers.createCustomer(admin, {
    name: `Existing ${run}`,
    emails: [{ address: `existing-${run}@example.com`, label: 'work' }],
    tags: ['old'],
  });
  const lines = ['name,email,tags'];
  for (let i = 0; i < 30; i++) lines.push(`Person ${run} ${i},p${i}-${run}@example.com,new`);
  for (let i = 0; i < 5; i++) lines.push(`Nocontact ${run} ${i},,`);
  lines.push(`Existing ${run},EXISTING-${run}@example.com,vip`);
  lines.push(`Again ${run},p3-${run}@example.com,`);
  lines.push(`Broken ${run},not-an-email,`);
  return { existing, text: `${lines.join('\n')}\n` };
};

const expectEachPersonOnce = async (run: string) => {
  for (let i = 0; i < 30; i++) {
    const { items } = await customers.listCustomers(admin, { email: `p${i}-${run}@example.com`, limit: 10 });
    expect(items, `p${i}`).toHaveLength(1);
  }
  for (let i = 0; i < 5; i++) {
    const { items } = await customers.listCustomers(admin, {
      namePrefix: `Nocontact ${run} ${i}`,
      limit: 10,
    });
    expect(
      items.filter((c) => c.name === `Nocontact ${run} ${i}`),
      `no-contact ${i}`,
    ).toHaveLength(1);
  }
};

const expectedCounts = { total: 38, processed: 38, created: 35, updated: 1, unchanged: 0, skipped: 2 };

describe('import worker on DynamoDB Local', () => {
  it('two workers on the same chunk at once write each person exactly once', async () => {
    const run = tag();
    const { existing, text } = await fileFor(run);
    const job = await startImport(admin, { contentType: 'text/csv', text });
    expect(job).toMatchObject({ status: 'queued', total: 38, processed: 0 });

    await Promise.all([importChunk(job.id, 1), importChunk(job.id, 1)]);

    await expectEachPersonOnce(run);
    const merged = await customers.getCustomer(admin, existing.id);
    expect(merged.tags).toEqual(['old', 'vip']);
    expect(merged.version).toBe(2);
    const report = await getImport(admin, job.id);
    expect(report).toMatchObject({ status: 'completed', ...expectedCounts, skippedRowsTruncated: false });
    expect(report.skippedRows).toEqual([
      { row: 37, reason: 'duplicate of row 4' },
      { row: 38, reason: expect.stringMatching(/^email: /) },
    ]);
    // Once the chunk is closed its staged rows are gone: the file's personal data lives on only in
    // the customers it became (where a GDPR erase reaches it).
    const staged = await allItems();
    expect(
      staged.some((item) => String(item.pk).startsWith(`IMPORT_CHUNK#${job.id}`) && item.sk === 'ROWS'),
    ).toBe(false);
  });

  it('a chunk redelivered after a crash half way finishes the rest, nobody twice, counts exact', async () => {
    const run = tag();
    const { text } = await fileFor(run);
    const job = await startImport(admin, { contentType: 'text/csv', text });
    const send = documentClient.send.bind(documentClient);
    let transactions = 0;
    vi.spyOn(documentClient, 'send').mockImplementation(((command: unknown) => {
      if (command instanceof TransactWriteCommand && ++transactions > 12) {
        return Promise.reject(Object.assign(new Error('Lambda died'), { name: 'Sandbox.Timedout' }));
      }
      return send(command as never);
    }) as never);
    await expect(importChunk(job.id, 1)).rejects.toThrow('Lambda died');
    vi.restoreAllMocks();

    const halfway = await getImport(admin, job.id);
    expect(halfway.status).toBe('running');
    expect(halfway.created).toBe(0);

    await importChunk(job.id, 1);
    await importChunk(job.id, 1); // and once more, after it finished

    await expectEachPersonOnce(run);
    expect(await getImport(admin, job.id)).toMatchObject({ status: 'completed', ...expectedCounts });
  });

  it('merges nothing new as unchanged, and a row matching two customers is skipped naming both', async () => {
    const run = tag();
    const a = await customers.createCustomer(admin, {
      name: 'A',
      emails: [{ address: `a-${run}@example.com`, label: 'work' }],
    });
    const b = await customers.createCustomer(admin, {
      name: 'B',
      phones: [{ number: '+14155550199', label: 'mobile' }],
    });
    const job = await startImport(admin, {
      contentType: 'application/x-ndjson',
      text:
        `{"name":"A","emails":[{"address":"a-${run}@example.com"}]}\n` +
        `{"name":"AB","emails":[{"address":"a-${run}@example.com"}],"phones":[{"number":"+14155550199"}]}\n`,
    });
    // In-file duplicate (same e-mail as row 1) wins over the clash: row 2 is a duplicate.
    await importChunk(job.id, 1);
    const report = await getImport(admin, job.id);
    expect(report).toMatchObject({
      unchanged: 1,
      skipped: 1,
      skippedRows: [{ row: 2, reason: 'duplicate of row 1' }],
    });

    const clash = await startImport(admin, {
      contentType: 'application/x-ndjson',
      text: `{"name":"AB","emails":[{"address":"a-${run}@example.com"}],"phones":[{"number":"+14155550199"}]}\n`,
    });
    await importChunk(clash.id, 1);
    const [row] = (await getImport(admin, clash.id)).skippedRows;
    expect(row?.reason).toContain(a.id);
    expect(row?.reason).toContain(b.id);
    // Named by kind, not by value: the job keeps no one's address or number.
    expect(row?.reason).not.toContain(`a-${run}@example.com`);
    expect(row?.reason).not.toContain('+14155550199');
  });

  it('skips a row that breaks a stored-data rule (422: unknown company) and still completes the job', async () => {
    const run = tag();
    const job = await startImport(admin, {
      contentType: 'application/x-ndjson',
      text: `{"name":"Good ${run}"}\n` + `{"name":"Bad ${run}","companyId":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}\n`,
    });
    await importChunk(job.id, 1);
    const report = await getImport(admin, job.id);
    expect(report).toMatchObject({ status: 'completed', created: 1, skipped: 1, updated: 0 });
    expect(report.skippedRows).toEqual([{ row: 2, reason: expect.stringMatching(/^companyId: /) }]);
  });
});
