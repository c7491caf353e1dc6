import { describe, expect, it } from 'vitest';
import { addToSummary, lifecycleChange, newPurchase } from '#shared/domain/activity';
import type { Actor } from '#shared/domain/actor';
import { ValidationFailed } from '#shared/domain/errors';
import { RecordPurchaseRequest } from '#shared/schemas/activity';
import type { Customer } from '#shared/schemas/customer';

const actor: Actor = { userId: 'dev-sales', roles: ['sales'], correlationId: 'c' };
const NOW = '2026-11-25T12:00:00.000Z';
const purchase = (input: unknown, id = '01JDQ50000000000000000P0R1') =>
  newPurchase(RecordPurchaseRequest.parse(input), '01JDQ3Z7YB8V5X1G6N2K4M9P0R', actor, { id, now: NOW });

describe('purchases', () => {
  it('checks that items minus discount add up to the amount', () => {
    const items = [{ name: 'Book', quantity: 2, unitPrice: 1500 }];
    expect(purchase({ amount: 2500, currency: 'EUR', items, discount: 500 }).amount).toBe(2500);
    expect(() => purchase({ amount: 3000, currency: 'EUR', items, discount: 500 })).toThrow(ValidationFailed);
    expect(purchase({ amount: 999, currency: 'EUR' }).occurredAt).toBe(NOW);
  });

  it('refuses a purchase in the future', () => {
    expect(() => purchase({ amount: 1, currency: 'EUR', purchasedAt: '2099-01-01T00:00:00.000Z' })).toThrow(
      ValidationFailed,
    );
  });

  it('keeps order count, first/last purchase and spend per currency, whatever the arrival order', () => {
    const late = purchase({ amount: 1000, currency: 'EUR', purchasedAt: '2026-11-20T00:00:00.000Z' });
    const early = purchase({ amount: 3001, currency: 'EUR', purchasedAt: '2026-01-01T00:00:00.000Z' });
    const dollars = purchase({ amount: 500, currency: 'USD', purchasedAt: '2026-06-01T00:00:00.000Z' });
    const summary = [late, early, dollars].reduce(addToSummary, undefined as never);
    expect(summary).toEqual({
      orderCount: 3,
      firstPurchaseAt: '2026-01-01T00:00:00.000Z',
      lastPurchaseAt: '2026-11-20T00:00:00.000Z',
      byCurrency: [
        { currency: 'EUR', orderCount: 2, totalSpent: 4001, averageOrderValue: 2001 },
        { currency: 'USD', orderCount: 1, totalSpent: 500, averageOrderValue: 500 },
      ],
    });
  });
});

describe('lifecycle', () => {
  const customer = { id: 'C', lifecycleStage: 'lead' } as Customer;
  it('records who changed the stage and why, and nothing when it did not change', () => {
    const after = { ...customer, lifecycleStage: 'customer' } as Customer;
    expect(lifecycleChange(customer, after, 'first-purchase', actor, { id: 'X', now: NOW })).toMatchObject({
      from: 'lead',
      to: 'customer',
      reason: 'first-purchase',
      changedBy: 'dev-sales',
    });
    expect(lifecycleChange(customer, customer, 'manual', actor, { id: 'X', now: NOW })).toBeUndefined();
  });
});
