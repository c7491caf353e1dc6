import type { CampaignReport } from '#shared/schemas/campaign';
import type { Customer } from '#shared/schemas/customer';
import { hasMarketingConsent } from './customer.ts';

/**
 * What a campaign's counters mean, and the send-time decision for one recipient. Pure.
 */

/** Why a queued recipient got no e-mail. */
export const SKIP_REASONS = ['no-consent', 'suppressed', 'no-email', 'gone'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** SES events (and unsubscribes) counted once per recipient. */
export const TRACKED_EVENTS = [
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'unsubscribed',
] as const;
export type TrackedEvent = (typeof TRACKED_EVENTS)[number];

const SKIPPED = SKIP_REASONS.map((reason) => `skipped.${reason}` as const);

export type CampaignCounterName =
  | 'queued'
  | 'sent'
  | 'failed'
  | (typeof SKIPPED)[number]
  | TrackedEvent
  | 'conversions';

export type CampaignCounters = Record<CampaignCounterName, number> & {
  /** Attributed revenue in minor units, per currency. */
  revenue: Record<string, number>;
};

export const emptyCounters = (): CampaignCounters => ({
  queued: 0,
  sent: 0,
  failed: 0,
  ...(Object.fromEntries(SKIPPED.map((name) => [name, 0])) as Record<(typeof SKIPPED)[number], 0>),
  ...(Object.fromEntries(TRACKED_EVENTS.map((name) => [name, 0])) as Record<TrackedEvent, 0>),
  conversions: 0,
  revenue: {},
});

export const skippedTotal = (counters: CampaignCounters): number =>
  SKIP_REASONS.reduce((sum, reason) => sum + counters[`skipped.${reason}`], 0);

/**
 * Whether every queued recipient has an outcome. `queuedShards` < shards: the dispatcher has not
 * finished queueing, so `queued` is not final yet.
 */
export const everyoneHandled = (counters: CampaignCounters, queuedShards: number, shards: number): boolean =>
  queuedShards >= shards && counters.sent + counters.failed + skippedTotal(counters) >= counters.queued;

/**
 * The send-time decision: the person as stored now (undefined: erased, deleted or merged away),
 * and whether their address is on the suppression list. Consent is read from the profile, not
 * from the audience snapshot: it may have been withdrawn since the campaign was queued.
 */
export const sendDecision = (
  customer: Customer | undefined,
  suppressed: boolean,
): { send: true; to: string } | { send: false; reason: SkipReason } => {
  if (!customer) return { send: false, reason: 'gone' };
  const to = customer.emails[0]?.address;
  if (!to) return { send: false, reason: 'no-email' };
  if (!hasMarketingConsent(customer)) return { send: false, reason: 'no-consent' };
  if (suppressed) return { send: false, reason: 'suppressed' };
  return { send: true, to };
};

/** A sender runs at most this long (its Lambda timeout, functions/catalog.ts). */
export const CAMPAIGN_SENDER_TIMEOUT_SECONDS = 300;

/** Why a claim was failed without knowing what SES did: its sender died holding it. */
export const OUTCOME_UNKNOWN = 'outcome-unknown';

/**
 * Whether a `sending` claim has outlived every sender that could hold it: Lambda stopped its
 * holder at the timeout, so nobody will settle it. A minute more covers clocks that disagree.
 */
export const claimAbandoned = (claimedAt: string, now: string): boolean =>
  Date.parse(now) - Date.parse(claimedAt) > (CAMPAIGN_SENDER_TIMEOUT_SECONDS + 60) * 1000;

/** What `GET /campaigns/{id}` shows from the counters. */
export const campaignReport = (counters: CampaignCounters, queueComplete: boolean): CampaignReport => {
  const revenue = Object.entries(counters.revenue)
    .filter(([, amount]) => amount > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ currency, amount }));
  return {
    progress: {
      queued: counters.queued,
      queueComplete,
      sent: counters.sent,
      failed: counters.failed,
      skipped: skippedTotal(counters),
      skippedByReason: Object.fromEntries(
        SKIP_REASONS.map((reason) => [reason, counters[`skipped.${reason}`]]),
      ) as Record<SkipReason, number>,
    },
    tracking: Object.fromEntries(TRACKED_EVENTS.map((event) => [event, counters[event]])) as Record<
      TrackedEvent,
      number
    >,
    results: {
      conversions: counters.conversions,
      revenue,
      revenuePerEmail: revenue.map(({ currency, amount }) => ({
        currency,
        amount: counters.sent > 0 ? Math.round((amount / counters.sent) * 100) / 100 : 0,
      })),
    },
  };
};
