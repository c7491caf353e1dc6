import { describe, expect, it } from 'vitest';
import {
  assertValidThresholds,
  DEFAULT_THRESHOLDS,
  inactiveSince,
  stageAfterInactivity,
  stageAfterPurchase,
} from '#shared/domain/lifecycle';
import type { Customer, LifecycleStage, PurchaseSummary } from '#shared/schemas/customer';

const NOW = '2026-11-25T12:00:00.000Z';
const t = { loyalMinOrders: 3, atRiskAfterDays: 30, churnedAfterDays: 60 };
const daysAgo = (days: number) => inactiveSince(NOW, days);
const summary = (orderCount: number, lastPurchaseAt: string) =>
  ({ orderCount, firstPurchaseAt: lastPurchaseAt, lastPurchaseAt, byCurrency: [] }) as PurchaseSummary;
const customer = (lifecycleStage: LifecycleStage, purchaseSummary?: PurchaseSummary) =>
  ({ id: 'C', lifecycleStage, purchaseSummary }) as Customer;

describe('stage after a purchase', () => {
  it('makes a lead or prospect a customer', () => {
    expect(stageAfterPurchase(customer('lead'), summary(1, NOW), NOW, t)).toEqual({
      stage: 'customer',
      reason: 'first-purchase',
    });
    expect(stageAfterPurchase(customer('prospect'), summary(1, NOW), NOW, t)?.stage).toBe('customer');
  });

  it('makes a customer loyal at the order threshold, not before', () => {
    expect(stageAfterPurchase(customer('customer'), summary(2, NOW), NOW, t)).toBeUndefined();
    expect(stageAfterPurchase(customer('customer'), summary(3, NOW), NOW, t)).toEqual({
      stage: 'loyal',
      reason: 'repeat-purchases',
    });
    expect(stageAfterPurchase(customer('loyal'), summary(9, NOW), NOW, t)).toBeUndefined();
  });

  it('brings back the at-risk and churned, unless the order itself is old', () => {
    expect(stageAfterPurchase(customer('churned'), summary(2, NOW), NOW, t)).toEqual({
      stage: 'customer',
      reason: 'purchased-again',
    });
    expect(stageAfterPurchase(customer('at-risk'), summary(4, NOW), NOW, t)?.stage).toBe('loyal');
    expect(stageAfterPurchase(customer('churned'), summary(2, daysAgo(45)), NOW, t)).toBeUndefined();
  });
});

describe('stage after inactivity', () => {
  it('moves buyers to at-risk, then churned, at the configured days', () => {
    expect(stageAfterInactivity(customer('customer', summary(1, daysAgo(29))), NOW, t)).toBeUndefined();
    expect(stageAfterInactivity(customer('loyal', summary(5, daysAgo(30))), NOW, t)).toEqual({
      stage: 'at-risk',
      reason: 'inactivity',
    });
    expect(stageAfterInactivity(customer('at-risk', summary(5, daysAgo(59))), NOW, t)).toBeUndefined();
    expect(stageAfterInactivity(customer('at-risk', summary(5, daysAgo(60))), NOW, t)?.stage).toBe('churned');
    expect(stageAfterInactivity(customer('customer', summary(1, daysAgo(400))), NOW, t)?.stage).toBe(
      'churned',
    );
  });

  it('leaves people who never bought, and stages set outside the path, alone', () => {
    expect(stageAfterInactivity(customer('lead'), NOW, t)).toBeUndefined();
    expect(stageAfterInactivity(customer('prospect', summary(1, daysAgo(400))), NOW, t)).toBeUndefined();
    expect(stageAfterInactivity(customer('churned', summary(1, daysAgo(400))), NOW, t)).toBeUndefined();
  });

  it('refuses thresholds that contradict each other', () => {
    expect(assertValidThresholds(DEFAULT_THRESHOLDS)).toEqual(DEFAULT_THRESHOLDS);
    expect(() => assertValidThresholds({ ...t, churnedAfterDays: 30 })).toThrow(/CHURNED_AFTER_DAYS/);
    expect(() => assertValidThresholds({ ...t, loyalMinOrders: 0 })).toThrow(/positive/);
  });
});
