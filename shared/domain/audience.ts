import type { CustomFieldValues } from '#shared/schemas/custom-fields';
import type { Customer, LifecycleStage, PurchaseSummary } from '#shared/schemas/customer';

/**
 * The audience view: the compact copy of a marketable customer that the marketable index holds
 * (shared/data/marketable.ts), with exactly the fields segment rules test and a send needs. Pure.
 */
export interface AudienceView {
  id: string;
  name: string;
  /** The primary (first) e-mail address: the one campaigns write to. */
  email: string;
  lifecycleStage: LifecycleStage;
  tags: string[];
  emailConsent: 'granted' | 'denied' | 'unknown';
  purchases?: Pick<PurchaseSummary, 'orderCount' | 'lastPurchaseAt'> & {
    /** The anniversary index's date (absent on items written before it existed). */
    firstPurchaseAt?: string;
    spent: { currency: string; totalSpent: number }[];
  };
  companyId?: string;
  gender?: string;
  birthday?: string;
  preferredLanguage?: string;
  /** Country of the first address. */
  country?: string;
  valueScore?: number;
  riskLevel?: 'low' | 'medium' | 'high';
  customFields: CustomFieldValues;
}

/** The address campaigns would write to: the first one. */
export const primaryEmail = (customer: Customer): string | undefined => customer.emails[0]?.address;

/**
 * Who belongs in the marketable index, before the suppression list is consulted: someone with an
 * e-mail address whose e-mail consent is granted. (Not suppressed is the second condition, checked
 * against the suppression list in the write's own transaction.)
 */
export const mayBeMarketable = (customer: Customer | undefined): customer is Customer =>
  customer !== undefined &&
  primaryEmail(customer) !== undefined &&
  customer.consent.email.status === 'granted';

/** The view of a customer as the index holds it. */
export const audienceView = (customer: Customer): AudienceView => ({
  id: customer.id,
  name: customer.name,
  email: primaryEmail(customer) ?? '',
  lifecycleStage: customer.lifecycleStage,
  tags: customer.tags,
  emailConsent: customer.consent.email.status,
  ...(customer.purchaseSummary
    ? {
        purchases: {
          orderCount: customer.purchaseSummary.orderCount,
          firstPurchaseAt: customer.purchaseSummary.firstPurchaseAt,
          lastPurchaseAt: customer.purchaseSummary.lastPurchaseAt,
          spent: customer.purchaseSummary.byCurrency.map(({ currency, totalSpent }) => ({
            currency,
            totalSpent,
          })),
        },
      }
    : {}),
  ...(customer.companyId ? { companyId: customer.companyId } : {}),
  ...(customer.gender ? { gender: customer.gender } : {}),
  ...(customer.birthday ? { birthday: customer.birthday } : {}),
  ...(customer.preferredLanguage ? { preferredLanguage: customer.preferredLanguage } : {}),
  ...(customer.addresses?.[0] ? { country: customer.addresses[0].country } : {}),
  ...(customer.scores?.valueScore !== undefined ? { valueScore: customer.scores.valueScore } : {}),
  ...(customer.scores?.riskLevel ? { riskLevel: customer.scores.riskLevel } : {}),
  customFields: customer.customFields,
});

/** Shards of the marketable index: an audience is read with this many parallel Queries. */
export const MARKETABLE_SHARDS = 16;

/** A stable shard for an id (FNV-1a over its characters): spreads ULIDs evenly, same on every run. */
export const shardOf = (id: string, shards = MARKETABLE_SHARDS): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
};
