import type { LifecycleChange } from '#shared/schemas/activity';
import type { Customer, LifecycleStage, PurchaseSummary } from '#shared/schemas/customer';

/**
 * Data-driven lifecycle stages: frequency makes a customer loyal, recency (no purchase for a while)
 * makes them at-risk then churned, and buying again brings them back. People may set any stage by
 * hand; the data only moves a customer along these paths, never loyal back to customer.
 */
export interface LifecycleThresholds {
  /** Orders that make a customer loyal (frequency). */
  loyalMinOrders: number;
  /** Days without a purchase after which a customer or loyal customer is at risk (recency). */
  atRiskAfterDays: number;
  /** Days without a purchase after which a customer is churned. */
  churnedAfterDays: number;
}

export const DEFAULT_THRESHOLDS: LifecycleThresholds = {
  loyalMinOrders: 5,
  atRiskAfterDays: 90,
  churnedAfterDays: 180,
};

/** Thresholds that contradict each other would make stages flap: refuse them at start-up. */
export const assertValidThresholds = (t: LifecycleThresholds): LifecycleThresholds => {
  const whole = (n: number) => Number.isInteger(n) && n > 0;
  if (!whole(t.loyalMinOrders) || !whole(t.atRiskAfterDays) || !whole(t.churnedAfterDays)) {
    throw new Error('Lifecycle thresholds must be positive whole numbers');
  }
  if (t.churnedAfterDays <= t.atRiskAfterDays) {
    throw new Error('CHURNED_AFTER_DAYS must be larger than AT_RISK_AFTER_DAYS');
  }
  return t;
};

export interface StageMove {
  stage: LifecycleStage;
  reason: LifecycleChange['reason'];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const daysSince = (at: string, now: string) => (Date.parse(now) - Date.parse(at)) / DAY_MS;

/** The stage a purchase moves the customer to (`summary` already counts it), if any. */
export const stageAfterPurchase = (
  customer: Customer,
  summary: PurchaseSummary,
  now: string,
  t: LifecycleThresholds,
): StageMove | undefined => {
  const stage = customer.lifecycleStage;
  const loyal = summary.orderCount >= t.loyalMinOrders;
  if (stage === 'lead' || stage === 'prospect') return { stage: 'customer', reason: 'first-purchase' };
  if (stage === 'at-risk' || stage === 'churned') {
    // A late-recorded old order does not make anyone active again.
    if (daysSince(summary.lastPurchaseAt, now) >= t.atRiskAfterDays) return undefined;
    return { stage: loyal ? 'loyal' : 'customer', reason: 'purchased-again' };
  }
  if (stage === 'customer' && loyal) return { stage: 'loyal', reason: 'repeat-purchases' };
  return undefined;
};

/** The stage a long time without purchases moves the customer to (the daily review), if any. */
export const stageAfterInactivity = (
  customer: Customer,
  now: string,
  t: LifecycleThresholds,
): StageMove | undefined => {
  const last = customer.purchaseSummary?.lastPurchaseAt;
  if (!last) return undefined;
  const idle = daysSince(last, now);
  const stage = customer.lifecycleStage;
  if (idle >= t.churnedAfterDays && ['customer', 'loyal', 'at-risk'].includes(stage)) {
    return { stage: 'churned', reason: 'inactivity' };
  }
  if (idle >= t.atRiskAfterDays && ['customer', 'loyal'].includes(stage)) {
    return { stage: 'at-risk', reason: 'inactivity' };
  }
  return undefined;
};

/** The latest purchase time that counts as inactive on `now` for `days` (the review's cut-off). */
export const inactiveSince = (now: string, days: number): string =>
  new Date(Date.parse(now) - days * DAY_MS).toISOString();
