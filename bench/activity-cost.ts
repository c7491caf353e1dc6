import type { asUser } from '../test/helpers/customers-api.ts';

/**
 * The customer activity operations (`functions/api/customer-activity.ts`): purchases, interactions
 * and the timeline, measured by dynamodb-cost.ts with the same meter as the customers operations.
 */

type Api = ReturnType<typeof asUser>;
type Response = Awaited<ReturnType<Api['get']>>;
/** Runs one API call under the meter, records its cost under `name` and checks its status. */
type Measure = (name: string, expected: number, call: () => Promise<Response>) => Promise<Response>;

/** The timeline page the timeline operation asks for, from a customer holding more entries. */
const TIMELINE_PAGE = 25;
/** Entries seeded on the timeline customer, oldest first: every third one a purchase, the rest calls. */
const TIMELINE_ENTRIES = 30;
const SUMMARY_LENGTH = 200;

const SUMMARY_TEXT =
  'Inbound call from the head of purchasing about the spring order: asked for delivery dates, a volume ' +
  'discount above twenty seats and a change of billing contact. Promised a written quote by Friday and a ' +
  'follow-up call with procurement next week.';

/** A typical call note, exactly SUMMARY_LENGTH characters (no trailing space, which the API trims). */
const summary = (n: number): string => {
  const text = `#${n} ${SUMMARY_TEXT}`.slice(0, SUMMARY_LENGTH - 1);
  return `${text.trimEnd()}${'.'.repeat(SUMMARY_LENGTH - text.trimEnd().length)}`;
};

const interactionBody = (n: number, occurredAt?: string) => ({
  type: 'call',
  channel: 'phone',
  direction: 'inbound',
  summary: summary(n),
  ...(occurredAt ? { occurredAt } : {}),
});

/** One line item (SKU, name, quantity, price), no discount; amount = quantity × unit price. */
const purchaseBody = (options: { externalOrderId?: string; purchasedAt?: string } = {}) => ({
  amount: 36_000,
  currency: 'EUR',
  items: [{ sku: 'PRO-ANNUAL-12', name: 'Pro plan, annual, 12 seats', quantity: 12, unitPrice: 3_000 }],
  channel: 'online',
  ...options,
});

/** What the activity rows send, for the report. */
export const ACTIVITY_DESCRIPTION = [
  'Each purchase sends amount, currency, channel and 1 line item (SKU, name, quantity, unit price), the first',
  'of them an `externalOrderId` too, to a customer created as a lead (the customers body above, stage `lead`);',
  `each interaction is a call with a ${SUMMARY_LENGTH}-character summary. The timeline is read from another`,
  `customer seeded with ${TIMELINE_ENTRIES} entries (every third a purchase as above, the others calls as above),`,
  `${TIMELINE_PAGE} per page.`,
].join('\n');

/** Fills the timeline customer's timeline, oldest entry first, one hour apart. */
export const seedTimeline = async (admin: Api, customerId: string): Promise<void> => {
  const start = Date.parse('2026-01-05T09:00:00.000Z');
  for (let i = 0; i < TIMELINE_ENTRIES; i++) {
    const at = new Date(start + i * 3_600_000).toISOString();
    const response =
      i % 3 === 0
        ? await admin.recordPurchase(customerId, purchaseBody({ purchasedAt: at }))
        : await admin.logInteraction(customerId, interactionBody(i, at));
    if (response.status !== 201) {
      throw new Error(`seeding the timeline: got ${response.status} ${JSON.stringify(response.body)}`);
    }
  }
};

/**
 * Measures the activity operations: three purchases on `leadId` (a lead: the first purchase makes
 * it a customer), an interaction on it, and a timeline page of `timelineId` (seeded by seedTimeline).
 */
export const measureActivityOperations = async (
  admin: Api,
  measure: Measure,
  ids: { leadId: string; timelineId: string; runId: string },
): Promise<void> => {
  const { leadId, timelineId, runId } = ids;
  const firstOrder = purchaseBody({ externalOrderId: `ORD-${runId}-0001` });
  const first = await measure(
    'recordPurchase, first of a lead (1 item, externalOrderId): lead → customer',
    201,
    () => admin.recordPurchase(leadId, firstOrder),
  );
  await measure('recordPurchase, a later one (1 item, no externalOrderId)', 201, () =>
    admin.recordPurchase(leadId, purchaseBody()),
  );
  const replay = await measure('recordPurchase, same externalOrderId again (replay)', 200, () =>
    admin.recordPurchase(leadId, firstOrder),
  );
  if (replay.body.id !== first.body.id) throw new Error('The replayed purchase is not the first one');
  const lead = await admin.get(leadId);
  if (lead.body.lifecycleStage !== 'customer' || lead.body.purchaseSummary?.orderCount !== 2) {
    throw new Error(`After the purchases the lead is ${JSON.stringify(lead.body)}`);
  }

  await measure(`logInteraction (call, ${SUMMARY_LENGTH}-char summary)`, 201, () =>
    admin.logInteraction(leadId, interactionBody(1)),
  );

  const page = await measure(`getTimeline (${TIMELINE_PAGE} of ${TIMELINE_ENTRIES} entries)`, 200, () =>
    admin.timeline(timelineId, { limit: String(TIMELINE_PAGE) }),
  );
  const entries = page.body.items as { kind: string }[];
  if (entries.length !== TIMELINE_PAGE || !page.body.nextCursor) {
    throw new Error(`getTimeline returned ${entries.length} entries, not ${TIMELINE_PAGE} and a cursor`);
  }
};
