import { describe, expect, it } from 'vitest';
import { useE2eSuite } from '../helpers/e2e-client.ts';

/**
 * Tracking through the local runtime: a campaign e-mail sent through SES (the emulator, behind the
 * local SES events front) produces "Email Delivered" on the default bus; the tracking server's open
 * and click links produce "Email Opened" / "Email Clicked"; the emailEvents consumer moves the
 * campaign's counters and the customer's timeline, and a purchase after the click is a conversion.
 * Every HTTP response of the API is checked against the OpenAPI document.
 */
const { suite, call } = useE2eSuite();

const unique = (name: string) =>
  `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;

describe('e-mail tracking end to end', () => {
  it('counts delivery, open and click of a sent campaign e-mail, shows them on the timeline, and converts', async () => {
    const { runtime } = suite;
    const address = unique('tracked');
    const customer = (
      await call('POST', '/customers', {
        role: 'marketing',
        body: {
          name: 'Tia Tracked',
          emails: [{ address }],
          consent: { email: { status: 'granted', source: 'signup-form' } },
        },
      })
    ).body;
    const segment = (
      await call('POST', '/segments', {
        role: 'marketing',
        body: { name: 'Everyone', rule: { field: 'emailConsent', in: ['granted'] } },
      })
    ).body;
    const template = (
      await call('POST', '/templates', {
        role: 'marketing',
        body: {
          name: 'Lamps',
          subject: 'Lamps',
          html: '<p><a href="https://shop.example.com/lamps">Lamps</a></p>',
          text: 'Lamps',
        },
      })
    ).body;
    const campaign = (
      await call('POST', '/campaigns', {
        role: 'marketing',
        body: { name: 'Lamp week', segmentId: segment.id, templateId: template.id },
      })
    ).body;
    await runtime.waitForIdle();

    // Send as the campaign sender does (imported now: the SES client then points at the runtime).
    const { claimSend, markSent } = await import('#shared/data/campaign-sends');
    // The campaign is sending (as the dispatcher leaves it): its report shows from then on.
    const campaigns = await import('#shared/data/campaigns');
    const stored = await campaigns.getCampaign(campaign.id, { consistent: true });
    if (!stored) throw new Error('campaign not stored');
    await campaigns.putCampaign(
      { ...stored, status: 'sending', startedAt: new Date().toISOString(), version: stored.version + 1 },
      stored,
    );
    const { buildMarketingMessage } = await import('#shared/email/marketing-message');
    const { sendRawEmail } = await import('#shared/email/send-email');
    const { unsubscribeTokenFor } = await import('#shared/use-cases/unsubscribe');
    const now = new Date().toISOString();
    expect(await claimSend(campaign.id, customer.id, now)).toBe(true);
    const message = await buildMarketingMessage({
      template,
      customer,
      campaign,
      unsubscribeToken: await unsubscribeTokenFor({ customerId: customer.id, campaignId: campaign.id }),
    });
    const messageId = await sendRawEmail(message.raw, message.tags);
    await markSent(campaign.id, customer.id, messageId, now);
    await runtime.waitForIdle();

    const path = `/campaigns/${campaign.id}`;
    const afterSend = await call('GET', '/campaigns/{id}', { path, role: 'marketing' });
    expect(afterSend.body.report.tracking).toMatchObject({ delivered: 1, opened: 0, clicked: 0 });

    // The recipient opens the mail and clicks its link (through the local tracking server).
    const pixel = await fetch(`${runtime.trackingUrl}/open/${messageId}`);
    expect(pixel.status).toBe(200);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    const link = 'https://shop.example.com/lamps';
    const clicked = await fetch(`${runtime.trackingUrl}/click/${messageId}?url=${encodeURIComponent(link)}`, {
      redirect: 'manual',
    });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe(link);
    // Opened twice, clicked twice: still one each.
    await fetch(`${runtime.trackingUrl}/open/${messageId}`);
    await fetch(`${runtime.trackingUrl}/click/${messageId}?url=${encodeURIComponent(link)}`, {
      redirect: 'manual',
    });
    // No open redirect to other schemes, no events for unknown messages.
    const refused = await fetch(`${runtime.trackingUrl}/click/${messageId}?url=javascript:alert(1)`, {
      redirect: 'manual',
    });
    expect(refused.status).toBe(400);
    const elsewhere = await fetch(
      `${runtime.trackingUrl}/click/${messageId}?url=${encodeURIComponent('https://evil.example/phish')}`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(400);
    expect((await fetch(`${runtime.trackingUrl}/open/no-such-message`)).status).toBe(404);
    expect((await fetch(`${runtime.trackingUrl}/open/%E0%A4%A`)).status).toBe(404);
    await runtime.waitForIdle();

    const tracked = await call('GET', '/campaigns/{id}', { path, role: 'marketing' });
    expect(tracked.body.report.tracking).toMatchObject({ delivered: 1, opened: 1, clicked: 1, bounced: 0 });
    const timeline = await call('GET', '/customers/{id}/timeline', {
      path: `/customers/${customer.id}/timeline`,
      role: 'marketing',
    });
    const emails = timeline.body.items.filter((entry: { kind: string }) => entry.kind === 'email');
    expect(emails.map((entry: { event: string }) => entry.event).sort()).toEqual([
      'clicked',
      'delivered',
      'opened',
    ]);

    // A purchase right after the click is the campaign's conversion.
    const bought = await call('POST', '/customers/{id}/purchases', {
      path: `/customers/${customer.id}/purchases`,
      role: 'marketing',
      body: { amount: 4500, currency: 'EUR', items: [{ name: 'Lamp', quantity: 1, unitPrice: 4500 }] },
    });
    expect(bought.status).toBe(201);
    await runtime.waitForIdle();
    const converted = await call('GET', '/campaigns/{id}', { path, role: 'marketing' });
    expect(converted.body.report.results).toMatchObject({
      conversions: 1,
      revenue: [{ currency: 'EUR', amount: 4500 }],
    });
    expect(suite.api.violations).toEqual([]);
  });

  it("suppresses the address of a welcome e-mail that hard-bounces (SES's mailbox simulator)", async () => {
    const { runtime } = suite;
    const created = await call('POST', '/customers', {
      role: 'marketing',
      body: {
        name: 'Bo Bounce',
        emails: [{ address: 'bounce@simulator.amazonses.com' }],
        consent: { email: { status: 'granted', source: 'signup-form' } },
      },
    });
    expect(created.status).toBe(201);
    await runtime.waitForIdle();
    const list = await call('GET', '/suppressions', { role: 'marketing' });
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          email: 'bounce@simulator.amazonses.com',
          reason: 'hard-bounce',
          source: 'ses',
        }),
      ]),
    );
    expect(suite.api.violations).toEqual([]);
  });
});
