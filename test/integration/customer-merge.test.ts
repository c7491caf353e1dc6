import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as cleanup } from '#functions/consumers/customer-cleanup';
import { ensureTable } from '#local/table';
import { documentClient } from '#shared/clients/dynamodb';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';
import { allItems, outboxEvents } from '../helpers/table-items.ts';

/** Merging duplicates on DynamoDB Local: nothing lost, the old id redirects, retries and races. */
const admin = asUser('admin');
const unique = () => Math.random().toString(36).slice(2, 10);

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});
afterEach(() => vi.restoreAllMocks());

const purchase = (amount: number, currency: string, purchasedAt: string, externalOrderId?: string) => ({
  amount,
  currency,
  purchasedAt,
  ...(externalOrderId ? { externalOrderId } : {}),
});

const note = { type: 'note', channel: 'other', direction: 'internal' } as const;

const timelineOf = async (id: string) => {
  const entries: { id: string; kind: string; customerId: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await admin.timeline(id, { limit: '100', ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    entries.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return entries;
};

describe('POST /customers/{id}/merge', () => {
  it('folds the source into the target: channels united, aggregates added, every entry moved, the old id redirects', async () => {
    const tag = unique();
    const target = (
      await admin.create({
        name: 'Ada Lovelace',
        emails: [{ address: `ada-${tag}@example.com` }],
        tags: ['vip'],
        consent: { email: { status: 'denied', source: 'form', at: '2026-01-01T00:00:00.000Z' } },
      })
    ).body;
    const source = (
      await admin.create({
        name: 'A. Lovelace',
        emails: [{ address: `ada.l-${tag}@example.org`, label: 'home' }],
        phones: [{ number: `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}` }],
        tags: ['newsletter', 'vip'],
        gender: 'female',
        consent: { email: { status: 'granted', source: 'shop', at: '2026-06-01T00:00:00.000Z' } },
      })
    ).body;
    await admin.recordPurchase(target.id, purchase(1000, 'EUR', '2026-03-01T00:00:00.000Z'));
    await admin.recordPurchase(source.id, purchase(3000, 'EUR', '2026-02-01T00:00:00.000Z', `ORD-${tag}`));
    await admin.recordPurchase(source.id, purchase(500, 'USD', '2026-04-01T00:00:00.000Z'));
    await admin.logInteraction(source.id, { ...note, type: 'call', summary: 'Asked about invoices' });
    const before = [...(await timelineOf(target.id)), ...(await timelineOf(source.id))];

    const merged = await admin.merge(target.id, source.id);
    expect(merged.status).toBe(200);
    expect(merged.headers.ETag).toBe(`"${merged.body.version}"`);
    expect(merged.body).toMatchObject({
      id: target.id,
      name: 'Ada Lovelace',
      gender: 'female',
      tags: ['vip', 'newsletter'],
      phones: source.phones,
      consent: { email: { status: 'granted', source: 'shop' } },
      purchaseSummary: {
        orderCount: 3,
        firstPurchaseAt: '2026-02-01T00:00:00.000Z',
        lastPurchaseAt: '2026-04-01T00:00:00.000Z',
        byCurrency: [
          { currency: 'EUR', orderCount: 2, totalSpent: 4000, averageOrderValue: 2000 },
          { currency: 'USD', orderCount: 1, totalSpent: 500, averageOrderValue: 500 },
        ],
      },
    });
    expect(merged.body.emails.map((e: { address: string }) => e.address)).toEqual([
      `ada-${tag}@example.com`,
      `ada.l-${tag}@example.org`,
    ]);

    // Nothing lost: every entry of both is on the survivor's timeline, now under its id.
    const after = await timelineOf(target.id);
    expect(after.map((e) => e.id).sort()).toEqual(expect.arrayContaining(before.map((e) => e.id).sort()));
    expect(after.every((e) => e.customerId === target.id)).toBe(true);

    // The old id redirects every request to the survivor.
    const old = await admin.get(source.id);
    expect(old).toMatchObject({
      status: 308,
      headers: { Location: `/customers/${target.id}` },
      body: { customerId: source.id, mergedInto: target.id },
    });
    expect((await admin.timeline(source.id, { limit: '5' })).headers.Location).toBe(
      `/customers/${target.id}/timeline?limit=5`,
    );
    // Guards and indexes follow: the source's e-mail, phone, tag and order id now lead to the target.
    const byEmail = await admin.list({ email: `ada.l-${tag}@example.org` });
    expect(byEmail.body.items.map((c: { id: string }) => c.id)).toEqual([target.id]);
    const byPhone = await admin.list({ phone: source.phones[0].number });
    expect(byPhone.body.items.map((c: { id: string }) => c.id)).toEqual([target.id]);
    const again = await admin.recordPurchase(
      target.id,
      purchase(3000, 'EUR', '2026-02-01T00:00:00.000Z', `ORD-${tag}`),
    );
    expect(again.status).toBe(200);
    const listed = await admin.list({ tag: 'newsletter', limit: '100' });
    const ids = listed.body.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(target.id);
    expect(ids).not.toContain(source.id);
    const taken = await admin.create({ name: 'Copycat', emails: [{ address: `ada.l-${tag}@example.org` }] });
    expect(taken).toMatchObject({ status: 409, body: { existingId: target.id } });

    // One event says what happened; the stage did not change (both had bought).
    const [event] = (await outboxEvents('customer.merged')).filter(
      (e) => (e.detail as { data: { mergedId: string } }).data.mergedId === source.id,
    );
    expect(event?.detail).toMatchObject({
      data: { customer: { id: target.id, version: merged.body.version } },
    });

    // Repeating the merge is harmless.
    const repeat = await admin.merge(target.id, source.id);
    expect(repeat).toMatchObject({ status: 200, body: { id: target.id, version: merged.body.version } });
  });

  it('moves more children than one transaction holds', async () => {
    const target = (await admin.create({ name: 'Many Target' })).body;
    const source = (await admin.create({ name: 'Many Source' })).body;
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        admin.logInteraction(source.id, { ...note, summary: `Note ${i}` }),
      ),
    );
    expect((await admin.merge(target.id, source.id)).status).toBe(200);
    const entries = await timelineOf(target.id);
    expect(entries.filter((e) => e.kind === 'interaction')).toHaveLength(120);
    const left = (await allItems()).filter((item) => item.pk === `CUSTOMER#${source.id}`);
    expect(left.map((item) => item.sk)).toEqual(['TOMBSTONE']);
  });

  it('finishes from the customer.merged event when the request died while moving', async () => {
    const target = (await admin.create({ name: 'Crash Target' })).body;
    const source = (await admin.create({ name: 'Crash Source' })).body;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => admin.logInteraction(source.id, { ...note, summary: `N${i}` })),
    );
    // The second move transaction fails as if the Lambda had died (moves start with a check of the survivor).
    const send = documentClient.send.bind(documentClient);
    let moves = 0;
    vi.spyOn(documentClient, 'send').mockImplementation(((command: unknown) => {
      const isMove =
        command instanceof TransactWriteCommand && command.input.TransactItems?.[0]?.ConditionCheck;
      if (isMove && ++moves === 2) {
        return Promise.reject(Object.assign(new Error('Task timed out'), { name: 'TimeoutError' }));
      }
      return send(command as never);
    }) as never);
    const died = await admin.merge(target.id, source.id);
    expect(died.status).toBe(503);
    vi.restoreAllMocks();
    // Part moved, part not: each interaction is an entry and a pointer, 80 children in all.
    const left = (await allItems()).filter(
      (item) => item.pk === `CUSTOMER#${source.id}` && item.sk !== 'TOMBSTONE',
    );
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(80);

    const [event] = (await outboxEvents('customer.merged')).filter(
      (e) => (e.detail as { data: { mergedId: string } }).data.mergedId === source.id,
    );
    expect(event).toBeDefined();
    await cleanup(event as never, lambdaContext('customerCleanup'));
    expect((await timelineOf(target.id)).filter((e) => e.kind === 'interaction')).toHaveLength(40);
    // Delivered again: nothing left to move, nothing duplicated.
    await cleanup(event as never, lambdaContext('customerCleanup'));
    expect((await timelineOf(target.id)).filter((e) => e.kind === 'interaction')).toHaveLength(40);
  });

  it('merges once when the same merge is sent five times at once', async () => {
    const target = (await admin.create({ name: 'Race Target' })).body;
    const source = (await admin.create({ name: 'Race Source', tags: ['raced'] })).body;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => admin.logInteraction(source.id, { ...note, summary: `R${i}` })),
    );
    const results = await Promise.all(Array.from({ length: 5 }, () => admin.merge(target.id, source.id)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const final = (await admin.get(target.id)).body;
    expect(final.version).toBe(2);
    expect((await timelineOf(target.id)).filter((e) => e.kind === 'interaction')).toHaveLength(10);
    const merges = (await outboxEvents('customer.merged')).filter(
      (e) => (e.detail as { data: { mergedId: string } }).data.mergedId === source.id,
    );
    expect(merges).toHaveLength(1);
  });

  it('refuses what would lose data or break the rules', async () => {
    const tag = unique();
    const many = (prefix: string) =>
      Array.from({ length: 3 }, (_, i) => ({ address: `${prefix}${i}-${tag}@example.com` }));
    const a = (await admin.create({ name: 'Limit A', emails: many('a') })).body;
    const b = (await admin.create({ name: 'Limit B', emails: many('b') })).body;
    const overLimit = await admin.merge(a.id, b.id);
    expect(overLimit.status).toBe(409);
    expect(overLimit.body.errors).toEqual([expect.objectContaining({ field: 'emails' })]);
    expect((await admin.get(b.id)).status).toBe(200);

    expect((await admin.merge(a.id, a.id)).body.errors[0].field).toBe('sourceId');
    expect((await admin.merge(a.id, '01JDQ3Z7YB8V5X1G6N2K4M9P0R')).status).toBe(404);

    const rep = asUser('sales', 'rep-1');
    const mine = (await rep.create({ name: 'Mine' })).body;
    const theirs = (await asUser('sales', 'rep-2').create({ name: 'Theirs' })).body;
    expect((await rep.merge(mine.id, theirs.id)).status).toBe(403);
    const other = (await rep.create({ name: 'Also mine' })).body;
    expect((await rep.merge(mine.id, other.id)).status).toBe(200);
    // Repeating a done merge is no way around the rules; marketing may edit but not merge (it removes a record).
    expect((await asUser('support').merge(mine.id, other.id)).status).toBe(403);
    expect((await asUser('sales', 'rep-2').merge(mine.id, other.id)).status).toBe(403);
    const m1 = (await admin.create({ name: 'M1' })).body;
    const m2 = (await admin.create({ name: 'M2' })).body;
    expect((await asUser('marketing').merge(m1.id, m2.id)).status).toBe(403);

    const c = (await admin.create({ name: 'C' })).body;
    expect(await admin.merge(c.id, other.id)).toMatchObject({ status: 409, body: { existingId: mine.id } });
  });
});

describe('merge and erase with a company link', () => {
  it('hands the link to the survivor, and an erase leaves the company deletable', async () => {
    const company = (await admin.createCompany({ name: `Linked ${unique()}` })).body;
    const target = (await admin.create({ name: 'Unlinked Target' })).body;
    const source = (await admin.create({ name: 'Linked Source', companyId: company.id, title: 'CTO' })).body;

    const merged = await admin.merge(target.id, source.id);
    expect(merged.body).toMatchObject({ companyId: company.id, company: company.name, title: 'CTO' });
    const people = await admin.people(company.id);
    expect(people.body.items.map((p: { id: string }) => p.id)).toEqual([target.id]);

    expect((await admin.erase(target.id)).status).toBe(200);
    expect((await admin.people(company.id)).body.items).toEqual([]);
    expect((await admin.removeCompany(company.id)).status).toBe(204);
  });
});

describe('chains of merges', () => {
  it('redirects an id straight to the last survivor', async () => {
    const a = (await admin.create({ name: 'Chain A' })).body;
    const b = (await admin.create({ name: 'Chain B' })).body;
    const c = (await admin.create({ name: 'Chain C' })).body;
    await admin.merge(b.id, a.id);
    await admin.merge(c.id, b.id);
    expect(await admin.get(a.id)).toMatchObject({ status: 308, headers: { Location: `/customers/${c.id}` } });
  });
});
