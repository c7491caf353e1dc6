import { beforeAll, describe, expect, it } from 'vitest';
import { handler as lifecycleReview } from '#functions/scheduled/lifecycle-review';
import { scheduledEvent } from '#local/scheduled-functions';
import { ensureTable } from '#local/table';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';

/** Data-driven lifecycle stages on DynamoDB Local: frequency on purchase, recency in the daily review. */
const admin = asUser('admin');
const DAY_MS = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

beforeAll(async () => {
  Object.assign(process.env, { LOYAL_MIN_ORDERS: '3', AT_RISK_AFTER_DAYS: '30', CHURNED_AFTER_DAYS: '90' });
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const buyer = async (name: string, ...purchaseDaysAgo: number[]) => {
  const customer = (await admin.create({ name })).body;
  for (const days of purchaseDaysAgo) {
    const recorded = await admin.recordPurchase(customer.id, {
      amount: 1000,
      currency: 'EUR',
      purchasedAt: daysAgo(days),
    });
    expect(recorded.status).toBe(201);
  }
  return customer.id as string;
};

const review = async (time = new Date()) =>
  (await lifecycleReview(scheduledEvent('lifecycleReview', time), lambdaContext('lifecycleReview'))) as {
    reviewed: number;
    moved: number;
  };

const stageOf = async (id: string) => (await admin.get(id)).body.lifecycleStage;

describe('lifecycle thresholds', () => {
  it('makes a customer loyal at the configured number of orders', async () => {
    const id = await buyer('Frequent', 5, 4);
    expect(await stageOf(id)).toBe('customer');
    await admin.recordPurchase(id, { amount: 500, currency: 'EUR' });
    expect(await stageOf(id)).toBe('loyal');
    const reasons = (await admin.timeline(id)).body.items
      .filter((e: { kind: string }) => e.kind === 'lifecycle-change')
      .map((e: { reason: string; to: string }) => `${e.reason}:${e.to}`);
    expect(reasons).toEqual(['repeat-purchases:loyal', 'first-purchase:customer']);
  });

  it('moves inactive buyers to at-risk and churned in the daily review, once, and a purchase brings them back', async () => {
    const recent = await buyer('Recent', 3);
    const quiet = await buyer('Quiet', 45);
    const gone = await buyer('Gone', 200, 120);
    const lead = (await admin.create({ name: 'Never bought' })).body.id;

    const first = await review();
    expect(first.moved).toBeGreaterThanOrEqual(2);
    expect(await stageOf(recent)).toBe('customer');
    expect(await stageOf(quiet)).toBe('at-risk');
    expect(await stageOf(gone)).toBe('churned');
    expect(await stageOf(lead)).toBe('lead');
    const [change] = (await admin.timeline(gone)).body.items;
    expect(change).toMatchObject({
      kind: 'lifecycle-change',
      from: 'customer',
      to: 'churned',
      reason: 'inactivity',
      changedBy: 'system:lifecycle-review',
    });

    // Run again the same day: nothing left to do, no second timeline entry.
    expect(await review()).toMatchObject({ moved: 0 });
    expect(
      (await admin.timeline(gone)).body.items.filter((e: { kind: string }) => e.kind === 'lifecycle-change'),
    ).toHaveLength(2);

    // Fifty days later the quiet one has churned too: the review picks up where it stopped.
    await review(new Date(Date.now() + 50 * DAY_MS));
    expect(await stageOf(quiet)).toBe('churned');

    await admin.recordPurchase(gone, { amount: 900, currency: 'EUR' });
    expect(await stageOf(gone)).toBe('loyal');
  });
});
