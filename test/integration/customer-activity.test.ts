import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/table';
import { asUser } from '../helpers/customers-api.ts';

/** Purchases, interactions and the timeline against DynamoDB Local, races included. */
const admin = asUser('admin');
const book = {
  amount: 2500,
  currency: 'EUR',
  items: [{ name: 'Book', quantity: 1, unitPrice: 3000 }],
  discount: 500,
};

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

describe('customer activity on DynamoDB Local', () => {
  it('records a purchase with its aggregates, and a first purchase makes a lead a customer', async () => {
    const customer = (await admin.create({ name: 'Buyer' })).body;
    const first = await admin.recordPurchase(customer.id, {
      ...book,
      purchasedAt: '2026-11-01T10:00:00.000Z',
    });
    expect(first).toMatchObject({ status: 201, body: { kind: 'purchase', amount: 2500, channel: 'online' } });
    await admin.recordPurchase(customer.id, {
      amount: 700,
      currency: 'USD',
      purchasedAt: '2026-10-01T10:00:00.000Z',
    });
    const after = (await admin.get(customer.id)).body;
    expect(after.lifecycleStage).toBe('customer');
    expect(after.version).toBe(3);
    expect(after.purchaseSummary).toEqual({
      orderCount: 2,
      firstPurchaseAt: '2026-10-01T10:00:00.000Z',
      lastPurchaseAt: '2026-11-01T10:00:00.000Z',
      byCurrency: [
        { currency: 'EUR', orderCount: 1, totalSpent: 2500, averageOrderValue: 2500 },
        { currency: 'USD', orderCount: 1, totalSpent: 700, averageOrderValue: 700 },
      ],
    });
  });

  it('records an external order once, even when sent five times at once', async () => {
    const customer = (await admin.create({ name: 'Retrier' })).body;
    const order = { ...book, externalOrderId: `ORD-${Date.now()}` };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => admin.recordPurchase(customer.id, order)),
    );
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect((await admin.get(customer.id)).body.purchaseSummary.orderCount).toBe(1);
    const other = (await admin.create({ name: 'Someone Else' })).body;
    const elsewhere = await admin.recordPurchase(other.id, order);
    expect(elsewhere).toMatchObject({ status: 409, body: { existingId: customer.id } });
    // The same order id with other details is not that order: 409 naming what differs, nothing dropped silently.
    const changed = await admin.recordPurchase(customer.id, {
      ...order,
      amount: order.amount + 1,
      items: [],
    });
    expect(changed.status).toBe(409);
    expect(changed.body.errors.map((e: { field: string }) => e.field)).toEqual(['amount', 'items']);
  });

  it('counts every concurrent purchase that succeeded, and only those', async () => {
    const customer = (await admin.create({ name: 'Busy Buyer' })).body;
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        admin.recordPurchase(customer.id, { amount: 100 + i, currency: 'EUR' }),
      ),
    );
    const recorded = results.filter((r) => r.status === 201);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const summary = (await admin.get(customer.id)).body.purchaseSummary;
    expect(summary.orderCount).toBe(recorded.length);
    expect(summary.byCurrency[0].totalSpent).toBe(recorded.reduce((sum, r) => sum + r.body.amount, 0));
    const timeline = await admin.timeline(customer.id, { limit: '100' });
    expect(timeline.body.items.filter((e: { kind: string }) => e.kind === 'purchase')).toHaveLength(
      recorded.length,
    );
  });

  it('shows purchases, interactions and lifecycle changes newest first, page by page', async () => {
    const customer = (await admin.create({ name: 'Storyteller' })).body;
    const support = asUser('support');
    await admin.recordPurchase(customer.id, {
      amount: 100,
      currency: 'EUR',
      purchasedAt: '2026-03-01T00:00:00.000Z',
    });
    const call = await support.logInteraction(customer.id, {
      type: 'call',
      channel: 'phone',
      direction: 'inbound',
      occurredAt: '2026-04-01T00:00:00.000Z',
      summary: 'Asked about delivery.\nCall back Friday.',
    });
    expect(call).toMatchObject({ status: 201, body: { author: 'dev-support', kind: 'interaction' } });
    await admin.update(customer.id, { lifecycleStage: 'loyal' });

    const kinds: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.timeline(customer.id, { limit: '1', ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      kinds.push(
        ...page.body.items.map((e: { kind: string; to?: string }) => `${e.kind}${e.to ? `:${e.to}` : ''}`),
      );
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    // The manual change (now) is newest; the first-purchase change was stamped when recorded (now too).
    expect(kinds.slice(2)).toEqual(['interaction', 'purchase']);
    expect(kinds.slice(0, 2).sort()).toEqual(['lifecycle-change:customer', 'lifecycle-change:loyal']);
  });

  it('answers 404 for a missing customer, 403 to a rep on another rep’s customer, 400 for bad input', async () => {
    const missing = '01JDQ3Z7YB8V5X1G6N2K4M9P0R';
    expect((await admin.timeline(missing)).status).toBe(404);
    expect((await admin.recordPurchase(missing, book)).status).toBe(404);
    expect(
      (
        await admin.logInteraction(missing, {
          type: 'note',
          channel: 'other',
          direction: 'internal',
          summary: 'x',
        })
      ).status,
    ).toBe(404);

    const owned = (await asUser('sales', 'rep-x').create({ name: 'Owned' })).body;
    expect((await asUser('sales', 'rep-y').recordPurchase(owned.id, book)).status).toBe(403);
    expect((await asUser('sales', 'rep-x').recordPurchase(owned.id, book)).status).toBe(201);

    const bad = await admin.recordPurchase(owned.id, { amount: -5, currency: 'euro', discount: 1.5 });
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'amount',
      'currency',
      'discount',
    ]);
    const forged = Buffer.from(JSON.stringify({ pk: `CUSTOMER#${owned.id}`, sk: 'PROFILE' })).toString(
      'base64url',
    );
    expect((await admin.timeline(owned.id, { cursor: forged })).status).toBe(400);
  });
});

describe('GDPR export', () => {
  it('returns the profile, the whole timeline and the e-mails sent, to admins and managers only', async () => {
    const customer = (
      await admin.create({ name: 'Data Subject', emails: [{ address: `ds-${Date.now()}@example.com` }] })
    ).body;
    await admin.recordPurchase(customer.id, {
      amount: 100,
      currency: 'EUR',
      purchasedAt: '2026-02-01T00:00:00.000Z',
    });
    await asUser('support').logInteraction(customer.id, {
      type: 'note',
      channel: 'other',
      direction: 'internal',
      summary: 'VIP',
    });
    const exported = await asUser('manager').exportData(customer.id);
    expect(exported.status).toBe(200);
    expect(exported.body.customer).toMatchObject({ id: customer.id, purchaseSummary: { orderCount: 1 } });
    expect(exported.body.timeline.map((e: { kind: string }) => e.kind).sort()).toEqual([
      'interaction',
      'lifecycle-change',
      'purchase',
    ]);
    expect(exported.body.emailsSent).toEqual([]);
    expect((await asUser('sales').exportData(customer.id)).status).toBe(403);
    expect((await admin.exportData('01JDQ3Z7YB8V5X1G6N2K4M9P0R')).status).toBe(404);
  });
});

describe('times spelled differently', () => {
  it('stores one spelling per instant, so order and last purchase stay right within a second', async () => {
    const customer = (await admin.create({ name: 'Same second' })).body;
    for (const purchasedAt of [
      '2024-01-01T00:00:00Z',
      '2024-01-01T00:00:00.500Z',
      '2024-01-01T00:00:00.25Z',
    ]) {
      expect(
        (await admin.recordPurchase(customer.id, { amount: 100, currency: 'EUR', purchasedAt })).status,
      ).toBe(201);
    }
    const read = (await admin.get(customer.id)).body;
    expect(read.purchaseSummary).toMatchObject({
      firstPurchaseAt: '2024-01-01T00:00:00.000Z',
      lastPurchaseAt: '2024-01-01T00:00:00.500Z',
    });
    const timeline = (await admin.timeline(customer.id)).body.items
      .filter((entry: { kind: string }) => entry.kind === 'purchase')
      .map((entry: { occurredAt: string }) => entry.occurredAt);
    expect(timeline).toEqual([
      '2024-01-01T00:00:00.500Z',
      '2024-01-01T00:00:00.250Z',
      '2024-01-01T00:00:00.000Z',
    ]);
  });
});
