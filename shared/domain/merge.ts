import type { Customer, LifecycleStage, PurchaseSummary } from '#shared/schemas/customer';
import { type Actor, hasAnyRole } from './actor.ts';
import { Forbidden, ValidationFailed } from './errors.ts';
import { type LifecycleThresholds, stageAfterInactivity } from './lifecycle.ts';
import { earlier, later } from './time.ts';

/**
 * Merging two records of the same person: `source` is folded into `target`, which keeps its id.
 * Nothing is lost: the target's values win, the source fills what the target lacks, lists are
 * united, consent per channel keeps the latest decision, and the purchase aggregates are added up
 * (the same order cannot sit on both: external order ids are unique).
 */

/**
 * A merge changes one record and removes the other, so it takes the right to delete: admins and
 * managers, or a sales rep who owns both records. `source` is absent when repeating a merge that
 * was done (the survivor alone is checked then).
 */
export const assertMayMerge = (actor: Actor, target: Customer, source?: Customer): void => {
  if (source && target.id === source.id) {
    throw new ValidationFailed([
      { in: 'body', field: 'sourceId', detail: 'Must differ from the customer id' },
    ]);
  }
  if (hasAnyRole(actor, ['admin', 'manager'])) return;
  const owns = (customer: Customer) => customer.ownerId === actor.userId && hasAnyRole(actor, ['sales']);
  if (!owns(target) || (source && !owns(source))) {
    throw new Forbidden('Only admins, managers, and sales reps owning both customers may merge them.');
  }
};

const unionBy = <T>(first: readonly T[], second: readonly T[], key: (item: T) => string): T[] => {
  const seen = new Set(first.map(key));
  return [...first, ...second.filter((item) => !seen.has(key(item)))];
};

type Consent = Customer['consent'][keyof Customer['consent']];

/** The later decision wins; a decision with a time beats one without. */
const latestConsent = (a: Consent, b: Consent): Consent => {
  if (!a || a.status === 'unknown') return b ?? a;
  if (!b || b.status === 'unknown') return a;
  return (b.at ?? '') > (a.at ?? '') ? b : a;
};

export const combineSummaries = (
  a: PurchaseSummary | undefined,
  b: PurchaseSummary | undefined,
): PurchaseSummary | undefined => {
  if (!a || !b) return a ?? b;
  const byCurrency = [...a.byCurrency];
  for (const entry of b.byCurrency) {
    const index = byCurrency.findIndex((e) => e.currency === entry.currency);
    const previous = byCurrency[index];
    if (!previous) {
      byCurrency.push(entry);
      continue;
    }
    const orderCount = previous.orderCount + entry.orderCount;
    const totalSpent = previous.totalSpent + entry.totalSpent;
    byCurrency[index] = {
      currency: entry.currency,
      orderCount,
      totalSpent,
      averageOrderValue: orderCount === 0 ? 0 : Math.round(totalSpent / orderCount),
    };
  }
  return {
    orderCount: a.orderCount + b.orderCount,
    firstPurchaseAt: earlier(a.firstPurchaseAt, b.firstPurchaseAt),
    lastPurchaseAt: later(a.lastPurchaseAt, b.lastPurchaseAt),
    byCurrency,
  };
};

/**
 * The merged record's stage, from the merged data with the same rules as purchases and the daily
 * review: no purchases → the further of lead/prospect; a buyer → loyal when either was or the
 * orders together reach the threshold, else customer; then recency may make them at-risk or churned.
 */
const mergedStage = (
  target: Customer,
  source: Customer,
  merged: Customer,
  now: string,
  thresholds: LifecycleThresholds,
): LifecycleStage => {
  const stages = [target.lifecycleStage, source.lifecycleStage];
  const orders = merged.purchaseSummary?.orderCount ?? 0;
  if (orders === 0) return stages.includes('prospect') ? 'prospect' : target.lifecycleStage;
  const stage = stages.includes('loyal') || orders >= thresholds.loyalMinOrders ? 'loyal' : 'customer';
  return stageAfterInactivity({ ...merged, lifecycleStage: stage }, now, thresholds)?.stage ?? stage;
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The merged record (not yet validated: a union over a list's limit is refused by the caller's
 * validation, naming the field, rather than dropping values).
 */
export const mergeCustomers = (
  target: Customer,
  source: Customer,
  now: string,
  thresholds: LifecycleThresholds,
): Customer => {
  const merged: Record<string, unknown> = { ...target };
  // Fields the target lacks come from the source; records (custom fields, scores) merge key by key.
  for (const [key, value] of Object.entries(source)) {
    const own = merged[key];
    if (own === undefined) merged[key] = value;
    else if (isPlainObject(own) && isPlainObject(value)) merged[key] = { ...value, ...own };
  }
  for (const [key, value] of Object.entries(source)) {
    const own = target[key as keyof Customer];
    if (Array.isArray(own) && Array.isArray(value)) {
      merged[key] = unionBy(own as unknown[], value as unknown[], (item) =>
        isPlainObject(item) && ('address' in item || 'number' in item)
          ? String(item.address ?? item.number)
          : JSON.stringify(item),
      );
    }
  }
  const purchaseSummary = combineSummaries(target.purchaseSummary, source.purchaseSummary);
  const next: Customer = {
    ...(merged as Customer),
    consent: {
      email: latestConsent(target.consent.email, source.consent.email) ?? target.consent.email,
      ...(target.consent.sms || source.consent.sms
        ? { sms: latestConsent(target.consent.sms, source.consent.sms) }
        : {}),
      ...(target.consent.phone || source.consent.phone
        ? { phone: latestConsent(target.consent.phone, source.consent.phone) }
        : {}),
    },
    purchaseSummary,
    // The relationship began when the older record was created.
    ...(source.createdAt < target.createdAt
      ? { createdAt: source.createdAt, createdBy: source.createdBy }
      : { createdAt: target.createdAt, createdBy: target.createdBy }),
    id: target.id,
    version: target.version + 1,
    updatedAt: now,
  };
  return { ...next, lifecycleStage: mergedStage(target, source, next, now, thresholds) };
};
