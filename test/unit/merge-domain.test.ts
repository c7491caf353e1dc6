import { describe, expect, it } from 'vitest';
import { Forbidden, ValidationFailed } from '#shared/domain/errors';
import { assertMayMerge, combineSummaries, mergeCustomers } from '#shared/domain/merge';
import type { Customer } from '#shared/schemas/customer';

const NOW = '2026-11-25T12:00:00.000Z';
const T = { loyalMinOrders: 5, atRiskAfterDays: 90, churnedAfterDays: 180 };
const base = (id: string, fields: Partial<Customer> = {}): Customer => ({
  id,
  name: `Customer ${id}`,
  emails: [],
  phones: [],
  tags: [],
  lifecycleStage: 'lead',
  consent: { email: { status: 'unknown' } },
  customFields: {},
  version: 3,
  createdAt: '2026-05-01T00:00:00.000Z',
  updatedAt: '2026-05-01T00:00:00.000Z',
  createdBy: 'dev-admin',
  ...fields,
});

describe('mergeCustomers', () => {
  it("keeps the target's values, fills gaps from the source, unites lists without repeats", () => {
    const target = base('T', {
      title: 'CEO',
      emails: [{ address: 'a@example.com', label: 'work' }],
      tags: ['vip'],
      customFields: { plan: 'pro' },
    });
    const source = base('S', {
      title: 'Founder',
      gender: 'female',
      emails: [{ address: 'b@example.com', label: 'home' }],
      tags: ['vip', 'newsletter'],
      customFields: { plan: 'free', seats: 5 },
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: 'importer',
    });
    const merged = mergeCustomers(target, source, NOW, T);
    expect(merged).toMatchObject({
      id: 'T',
      title: 'CEO',
      gender: 'female',
      tags: ['vip', 'newsletter'],
      customFields: { plan: 'pro', seats: 5 },
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: 'importer',
      version: 4,
      updatedAt: NOW,
    });
    expect(merged.emails.map((e) => e.address)).toEqual(['a@example.com', 'b@example.com']);
  });

  it('keeps the latest consent decision per channel, and moves a buyer stage over a lead', () => {
    const target = base('T', {
      consent: { email: { status: 'granted', source: 'form', at: '2026-02-01T00:00:00.000Z' } },
    });
    const source = base('S', {
      lifecycleStage: 'loyal',
      consent: {
        email: { status: 'denied', source: 'unsubscribe', at: '2026-03-01T00:00:00.000Z' },
        sms: { status: 'granted', source: 'shop', at: '2026-01-01T00:00:00.000Z' },
      },
      purchaseSummary: {
        orderCount: 6,
        firstPurchaseAt: '2026-01-01T00:00:00.000Z',
        lastPurchaseAt: '2026-11-01T00:00:00.000Z',
        byCurrency: [],
      },
    });
    const merged = mergeCustomers(target, source, NOW, T);
    expect(merged.consent).toEqual({
      email: { status: 'denied', source: 'unsubscribe', at: '2026-03-01T00:00:00.000Z' },
      sms: { status: 'granted', source: 'shop', at: '2026-01-01T00:00:00.000Z' },
    });
    expect(merged.lifecycleStage).toBe('loyal');
    expect(mergeCustomers(base('T', { lifecycleStage: 'prospect' }), base('S'), NOW, T).lifecycleStage).toBe(
      'prospect',
    );
  });

  it('adds up purchase aggregates per currency, with first and last across both', () => {
    const summary = (orders: number, spent: number, currency: string, first: string, last: string) => ({
      orderCount: orders,
      firstPurchaseAt: first,
      lastPurchaseAt: last,
      byCurrency: [{ currency, orderCount: orders, totalSpent: spent, averageOrderValue: spent / orders }],
    });
    const combined = combineSummaries(
      summary(2, 3000, 'EUR', '2026-02-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'),
      {
        ...summary(1, 1000, 'EUR', '2026-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'),
        byCurrency: [
          { currency: 'EUR', orderCount: 1, totalSpent: 1000, averageOrderValue: 1000 },
          { currency: 'USD', orderCount: 2, totalSpent: 500, averageOrderValue: 250 },
        ],
        orderCount: 3,
      },
    );
    expect(combined).toEqual({
      orderCount: 5,
      firstPurchaseAt: '2026-01-01T00:00:00.000Z',
      lastPurchaseAt: '2026-05-01T00:00:00.000Z',
      byCurrency: [
        { currency: 'EUR', orderCount: 3, totalSpent: 4000, averageOrderValue: 1333 },
        { currency: 'USD', orderCount: 2, totalSpent: 500, averageOrderValue: 250 },
      ],
    });
    expect(combineSummaries(undefined, undefined)).toBeUndefined();
  });
});

describe('the merged stage', () => {
  const bought = (orderCount: number, lastPurchaseAt: string) => ({
    orderCount,
    firstPurchaseAt: '2026-01-01T00:00:00.000Z',
    lastPurchaseAt,
    byCurrency: [],
  });
  it('is loyal when the orders together reach the threshold, or either was loyal', () => {
    const a = base('A', {
      lifecycleStage: 'customer',
      purchaseSummary: bought(3, '2026-11-01T00:00:00.000Z'),
    });
    const b = base('B', {
      lifecycleStage: 'customer',
      purchaseSummary: bought(2, '2026-10-01T00:00:00.000Z'),
    });
    expect(mergeCustomers(a, b, NOW, T).lifecycleStage).toBe('loyal');
    const loyal = {
      ...b,
      lifecycleStage: 'loyal' as const,
      purchaseSummary: bought(1, '2026-10-01T00:00:00.000Z'),
    };
    expect(
      mergeCustomers({ ...a, purchaseSummary: bought(1, '2026-11-01T00:00:00.000Z') }, loyal, NOW, T)
        .lifecycleStage,
    ).toBe('loyal');
  });

  it('follows recency: buyers whose last purchase is old are at risk or churned', () => {
    const a = base('A', {
      lifecycleStage: 'customer',
      purchaseSummary: bought(1, '2026-07-01T00:00:00.000Z'),
    });
    const b = base('B', { lifecycleStage: 'loyal', purchaseSummary: bought(1, '2026-05-01T00:00:00.000Z') });
    expect(mergeCustomers(a, b, NOW, T).lifecycleStage).toBe('at-risk');
    const recent = {
      ...a,
      lifecycleStage: 'churned' as const,
      purchaseSummary: bought(1, '2026-11-20T00:00:00.000Z'),
    };
    expect(mergeCustomers(recent, b, NOW, T).lifecycleStage).toBe('loyal');
    expect(mergeCustomers(recent, { ...b, lifecycleStage: 'customer' }, NOW, T).lifecycleStage).toBe(
      'customer',
    );
  });
});

describe('assertMayMerge', () => {
  const rep = { userId: 'rep-1', roles: ['sales'] as const, correlationId: 'c' };
  it('takes an admin or manager, or a sales rep owning both; two different records', () => {
    const mine = base('A', { ownerId: 'rep-1' });
    expect(() => assertMayMerge(rep, mine, base('B', { ownerId: 'rep-1' }))).not.toThrow();
    expect(() => assertMayMerge(rep, mine, base('B', { ownerId: 'rep-2' }))).toThrow(Forbidden);
    expect(() => assertMayMerge(rep, mine, mine)).toThrow(ValidationFailed);
    expect(() => assertMayMerge({ ...rep, roles: ['marketing'] }, mine, base('B'))).toThrow(Forbidden);
    expect(() => assertMayMerge({ ...rep, roles: ['manager'] }, base('A'), base('B'))).not.toThrow();
    // A repeated merge checks the survivor alone.
    expect(() => assertMayMerge({ ...rep, roles: ['support'] }, mine)).toThrow(Forbidden);
  });
});
