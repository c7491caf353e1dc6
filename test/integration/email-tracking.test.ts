import { readFileSync } from 'node:fs';
import type { EventBridgeEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as outcomesHandler } from '#functions/consumers/campaign-outcomes';
import { handler as emailEventsHandler } from '#functions/consumers/email-events';
import { ensureTable } from '#local/table';
import { claimSend, getCampaignCounters, markSent } from '#shared/data/campaign-sends';
import { getSuppression } from '#shared/data/suppressions';
import { readTimeline } from '#shared/data/timeline';
import { newId } from '#shared/ids';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';
import { allItems } from '../helpers/table-items.ts';

/**
 * SES tracking and conversions on DynamoDB Local: the consumers invoked with SES-shaped events (the
 * documented examples under events/fixtures/aws.ses) and our own purchase / unsubscribe events.
 */
beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const admin = asUser('admin');
const fixturesDir = new URL('../../events/fixtures/', import.meta.url);
const json = (path: string) => JSON.parse(readFileSync(new URL(path, fixturesDir), 'utf8'));

type SesFixture =
  | 'email-delivered'
  | 'email-bounced-permanent'
  | 'email-bounced-transient'
  | 'email-complaint-received'
  | 'email-opened'
  | 'email-clicked';

/** An SES event of `name` for a message to `to`, tagged as SendRawEmail's tags would come back. */
const sesEvent = (
  name: SesFixture,
  tags: Record<string, string>,
  options: { to: string; messageId: string; at?: string },
): EventBridgeEvent<string, unknown> => {
  const event = json(`aws.ses/${name}.json`);
  const detail = event.detail;
  detail.mail.messageId = options.messageId;
  detail.mail.destination = [options.to];
  detail.mail.tags = {
    'ses:configuration-set': ['test'],
    ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [key, [value]])),
  };
  for (const part of ['bounce', 'complaint']) {
    const recipients = detail[part]?.bouncedRecipients ?? detail[part]?.complainedRecipients;
    for (const recipient of recipients ?? []) recipient.emailAddress = options.to;
  }
  const specific = detail.delivery ?? detail.bounce ?? detail.complaint ?? detail.open ?? detail.click;
  if (options.at) specific.timestamp = options.at;
  return event;
};

const onSes = (event: EventBridgeEvent<string, unknown>) =>
  emailEventsHandler(event as never, lambdaContext('emailEvents')) as Promise<Record<string, unknown>>;
const onOutcome = (event: unknown) =>
  outcomesHandler(event as never, lambdaContext('campaignOutcomes')) as Promise<Record<string, unknown>>;

/** A customer who was sent campaign `campaignId` (send record `sent`). */
const recipient = async (campaignId = newId()) => {
  const address = `track-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const created = await admin.create({
    name: 'Tracy Tracked',
    emails: [{ address }],
    consent: { email: { status: 'granted', source: 'signup-form' } },
  });
  expect(created.status).toBe(201);
  const customerId = created.body.id as string;
  const messageId = `0100-${newId()}-000000`;
  expect(await claimSend(campaignId, customerId, new Date().toISOString())).toBe(true);
  expect(await markSent(campaignId, customerId, messageId, new Date().toISOString())).toBe(true);
  const tags = { messageKind: 'campaign', campaignId, customerId };
  return { campaignId, customerId, address, messageId, tags };
};

const emailEntries = async (customerId: string) =>
  (await readTimeline(customerId, { limit: 100 })).items.filter((entry) => entry.kind === 'email');

const purchaseEvent = (customerId: string, at: string, amount = 4500, id = newId()) => {
  const event = json('purchase.recorded.v1.json');
  Object.assign(event.data.purchase, { id, customerId, occurredAt: at, amount, externalOrderId: undefined });
  delete event.data.purchase.externalOrderId;
  event.metadata.eventId = newId();
  return { 'detail-type': 'purchase.recorded', source: 'cirrus.crm', detail: event, id: newId() };
};

describe('SES events of campaign e-mails', () => {
  it('count delivered, opened and clicked once each, with one timeline entry each, under redelivery', async () => {
    const r = await recipient();
    const events = [
      sesEvent('email-delivered', r.tags, { to: r.address, messageId: r.messageId }),
      sesEvent('email-opened', r.tags, { to: r.address, messageId: r.messageId }),
      sesEvent('email-clicked', r.tags, { to: r.address, messageId: r.messageId }),
    ];
    for (const event of events)
      expect(await onSes(event)).toMatchObject({ outcome: 'handled', recorded: true });
    // EventBridge delivers at least once: the same events again, all at once.
    const again = await Promise.all([...events, ...events].map(onSes));
    for (const outcome of again) expect(outcome).toMatchObject({ recorded: false });
    // A second open (another event, later) is not another "opened" either.
    await onSes(
      sesEvent('email-opened', r.tags, {
        to: r.address,
        messageId: r.messageId,
        at: '2026-11-26T08:00:00.000Z',
      }),
    );

    const { counters } = await getCampaignCounters(r.campaignId);
    expect(counters).toMatchObject({
      sent: 1,
      delivered: 1,
      opened: 1,
      clicked: 1,
      bounced: 0,
      complained: 0,
    });
    const entries = await emailEntries(r.customerId);
    expect(entries.map((entry) => (entry as { event: string }).event).sort()).toEqual([
      'clicked',
      'delivered',
      'opened',
    ]);
    for (const entry of entries)
      expect(entry).toMatchObject({ messageKind: 'campaign', campaignId: r.campaignId });
    expect(await getSuppression(r.address)).toBeUndefined();
    // The timeline route shows them (the OpenAPI-typed response).
    const timeline = await admin.timeline(r.customerId);
    expect(timeline.status).toBe(200);
    expect(timeline.body.items.filter((entry: { kind: string }) => entry.kind === 'email')).toHaveLength(3);
  });

  it('a permanent bounce suppresses the address (source ses) and counts once', async () => {
    const r = await recipient();
    const bounce = sesEvent('email-bounced-permanent', r.tags, { to: r.address, messageId: r.messageId });
    expect(await onSes(bounce)).toMatchObject({ suppressed: 1, recorded: true });
    expect(await onSes(bounce)).toMatchObject({ suppressed: 0, recorded: false });
    expect(await getSuppression(r.address)).toMatchObject({ reason: 'hard-bounce', source: 'ses' });
    expect((await getCampaignCounters(r.campaignId)).counters.bounced).toBe(1);
    expect(await emailEntries(r.customerId)).toMatchObject([{ event: 'bounced', bounceType: 'permanent' }]);
  });

  it('a complaint suppresses the address and counts once', async () => {
    const r = await recipient();
    const complaint = sesEvent('email-complaint-received', r.tags, { to: r.address, messageId: r.messageId });
    await onSes(complaint);
    await onSes(complaint);
    expect(await getSuppression(r.address)).toMatchObject({ reason: 'complaint', source: 'ses' });
    expect((await getCampaignCounters(r.campaignId)).counters.complained).toBe(1);
    expect(await emailEntries(r.customerId)).toHaveLength(1);
  });

  it('a transient bounce writes its timeline entry once, and neither counts nor suppresses', async () => {
    const r = await recipient();
    const transient = sesEvent('email-bounced-transient', r.tags, { to: r.address, messageId: r.messageId });
    expect(await onSes(transient)).toMatchObject({ suppressed: 0, recorded: true });
    expect(await onSes(transient)).toMatchObject({ recorded: false });
    expect(await getSuppression(r.address)).toBeUndefined();
    expect((await getCampaignCounters(r.campaignId)).counters.bounced).toBe(0);
    expect(await emailEntries(r.customerId)).toMatchObject([{ event: 'bounced', bounceType: 'transient' }]);
  });

  it('bounces of a welcome e-mail suppress too; foreign messages are ignored', async () => {
    const r = await recipient();
    const welcome = { messageKind: 'welcome', customerId: r.customerId };
    await onSes(sesEvent('email-bounced-permanent', welcome, { to: r.address, messageId: r.messageId }));
    expect(await getSuppression(r.address)).toMatchObject({ reason: 'hard-bounce' });
    expect(await emailEntries(r.customerId)).toEqual([]);

    const other = `foreign-${Date.now()}@example.com`;
    expect(
      await onSes(sesEvent('email-complaint-received', {}, { to: other, messageId: 'x' })),
    ).toMatchObject({
      outcome: 'ignored',
    });
    expect(await getSuppression(other)).toBeUndefined();
  });

  it('an event for a person without a send record (erased, stray) writes nothing', async () => {
    const r = await recipient();
    const stray = { ...r.tags, campaignId: newId() };
    expect(
      await onSes(sesEvent('email-clicked', stray, { to: r.address, messageId: r.messageId })),
    ).toMatchObject({
      recorded: false,
    });
    expect(await emailEntries(r.customerId)).toEqual([]);
    const lastClicks = (await allItems()).filter(
      (item) => item.type === 'campaign-last-click' && item.campaignId === stray.campaignId,
    );
    expect(lastClicks).toEqual([]);
  });

  it('rejects a detail that is not an SES event (EventBridge retries, then the DLQ)', async () => {
    await expect(
      onSes({ 'detail-type': 'Email Delivered', detail: { eventType: 'Delivery' } } as never),
    ).rejects.toThrow();
  });
});

describe('campaign outcomes', () => {
  const click = async (r: Awaited<ReturnType<typeof recipient>>, at: string) =>
    onSes(sesEvent('email-clicked', r.tags, { to: r.address, messageId: r.messageId, at }));

  it('attributes a purchase within the window after the click, once per purchase, with its revenue', async () => {
    const r = await recipient();
    await click(r, '2026-11-01T12:00:00.000Z');
    const purchase = purchaseEvent(r.customerId, '2026-11-08T12:00:00.000Z', 4500);
    expect(await onOutcome(purchase)).toEqual({ outcome: 'attributed' });
    expect(await onOutcome(purchase)).toEqual({ outcome: 'already-attributed' });
    expect(await onOutcome(purchaseEvent(r.customerId, '2026-11-02T09:00:00.000Z', 1000))).toEqual({
      outcome: 'attributed',
    });
    const { counters } = await getCampaignCounters(r.campaignId);
    expect(counters.conversions).toBe(2);
    expect(counters.revenue).toEqual({ EUR: 5500 });
  });

  it('does not attribute purchases before the click or after the window, nor without a click', async () => {
    const r = await recipient();
    expect(await onOutcome(purchaseEvent(r.customerId, '2026-11-01T12:00:00.000Z'))).toEqual({
      outcome: 'no-click',
    });
    await click(r, '2026-11-01T12:00:00.000Z');
    expect(await onOutcome(purchaseEvent(r.customerId, '2026-11-01T11:59:59.999Z'))).toEqual({
      outcome: 'outside-window',
    });
    expect(await onOutcome(purchaseEvent(r.customerId, '2026-11-08T12:00:00.001Z'))).toEqual({
      outcome: 'outside-window',
    });
    expect((await getCampaignCounters(r.campaignId)).counters.conversions).toBe(0);
  });

  it('attributes to the campaign clicked last, even when the clicks arrive out of order', async () => {
    const first = await recipient();
    const second = await recipient();
    // The same person got two campaigns: reuse the first person for the second campaign.
    await claimSend(second.campaignId, first.customerId, new Date().toISOString());
    await markSent(second.campaignId, first.customerId, 'm2', new Date().toISOString());
    const secondTags = { ...first.tags, campaignId: second.campaignId };
    await onSes(
      sesEvent('email-clicked', secondTags, {
        to: first.address,
        messageId: 'm2',
        at: '2026-11-03T00:00:00.000Z',
      }),
    );
    await click(first, '2026-11-02T00:00:00.000Z');
    expect(await onOutcome(purchaseEvent(first.customerId, '2026-11-04T00:00:00.000Z'))).toEqual({
      outcome: 'attributed',
    });
    expect((await getCampaignCounters(second.campaignId)).counters.conversions).toBe(1);
    expect((await getCampaignCounters(first.campaignId)).counters.conversions).toBe(0);
  });

  it("counts an unsubscribe through a campaign's link once", async () => {
    const r = await recipient();
    const event = json('customer.unsubscribed.v1.json');
    Object.assign(event.data.entry, { customerId: r.customerId, campaignId: r.campaignId, id: newId() });
    const envelope = {
      'detail-type': 'customer.unsubscribed',
      source: 'cirrus.crm',
      detail: event,
      id: newId(),
    };
    expect(await onOutcome(envelope)).toEqual({ counted: true });
    expect(await onOutcome(envelope)).toEqual({ counted: false });
    expect((await getCampaignCounters(r.campaignId)).counters.unsubscribed).toBe(1);
  });

  it('a merge of two people who both clicked the same campaign keeps going (no key clash)', async () => {
    const survivor = await recipient();
    const duplicate = await recipient(survivor.campaignId);
    await click(survivor, '2026-11-01T12:00:00.000Z');
    await click(duplicate, '2026-11-02T12:00:00.000Z');
    const merged = await admin.merge(survivor.customerId, duplicate.customerId);
    expect(merged.status).toBe(200);
    const lastClicks = (await allItems()).filter(
      (item) => item.type === 'campaign-last-click' && String(item.pk).includes(survivor.customerId),
    );
    expect(lastClicks).toHaveLength(2);

    // The merged id's send record stays where its queue entry and SES events look for it.
    const duplicateSends = async () =>
      (await allItems()).filter(
        (item) => item.type === 'campaign-send' && item.customerId === duplicate.customerId,
      );
    expect((await duplicateSends()).map((item) => item.pk)).toEqual([`CUSTOMER#${duplicate.customerId}`]);
    await onSes(
      sesEvent('email-opened', duplicate.tags, { to: duplicate.address, messageId: duplicate.messageId }),
    );
    expect((await getCampaignCounters(survivor.campaignId)).counters.opened).toBe(1);
    // Erasing the survivor purges it with the merged id's partition.
    expect((await admin.erase(survivor.customerId)).status).toBe(200);
    expect(await duplicateSends()).toEqual([]);
  });

  it('GDPR erase purges the tracking history, the last click and the conversion guards', async () => {
    const r = await recipient();
    await onSes(sesEvent('email-delivered', r.tags, { to: r.address, messageId: r.messageId }));
    await click(r, '2026-11-01T12:00:00.000Z');
    await onOutcome(purchaseEvent(r.customerId, '2026-11-02T12:00:00.000Z'));
    const mine = async () =>
      (await allItems()).filter(
        (item) =>
          String(item.pk).includes(r.customerId) &&
          ['campaign-last-click', 'campaign-conversion', 'timeline-email', 'campaign-send'].includes(
            String(item.type),
          ),
      );
    expect((await mine()).map((item) => item.type).sort()).toEqual([
      'campaign-conversion',
      'campaign-last-click',
      'campaign-send',
      'timeline-email',
      'timeline-email',
    ]);
    expect((await admin.erase(r.customerId)).status).toBe(200);
    expect(await mine()).toEqual([]);
    // A late event after the erase writes nothing back into the purged partition.
    await onSes(sesEvent('email-opened', r.tags, { to: r.address, messageId: r.messageId }));
    await click(r, '2026-11-03T12:00:00.000Z');
    expect(await mine()).toEqual([]);
    // The counters keep only numbers.
    const { counters } = await getCampaignCounters(r.campaignId);
    expect(counters).toMatchObject({ delivered: 1, clicked: 1, conversions: 1 });
  });
});
