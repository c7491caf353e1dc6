import { describe, expect, it } from 'vitest';
import { useE2eSuite, waitFor } from '../helpers/e2e-client.ts';
import { mailbox } from '../support/mailbox.ts';

/**
 * The "done when", over HTTP on the local runtime: 1,000 seeded customers, a campaign to
 * a segment of them scheduled two seconds ahead (local Scheduler → dispatcher → local SQS →
 * sender → SES emulator). Every consenting, non-suppressed member gets exactly one e-mail, nobody
 * else gets any, and the counters say so. Every response is checked against the OpenAPI document.
 */
// Locally the account's rate is set high so a thousand e-mails take seconds; the pacing itself is
// measured by `npm run bench` and tested in unit tests.
process.env.SES_MAX_SEND_RATE = '400';

const { suite, call } = useE2eSuite();
const run = Math.random().toString(36).slice(2, 8);
const address = (i: number) => `member-${i}-${run}@campaign.example`;
const SEEDED = 1000;
const outsider = `outsider-${run}@campaign.example`;

/** Member i: every tenth has no consent, every twenty-fifth (of the others) is suppressed. */
const consents = (i: number) => i % 10 !== 0;
const suppressed = (i: number) => consents(i) && i % 25 === 1;
const expectedRecipients = Array.from({ length: SEEDED }, (_, i) => i).filter(
  (i) => consents(i) && !suppressed(i),
);

const inParallel = async <T>(count: number, width: number, task: (i: number) => Promise<T>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
};

const wallTimeUtc = (secondsAhead: number) =>
  new Date(Date.now() + secondsAhead * 1000).toISOString().slice(0, 19);

describe('campaign sending end to end', () => {
  it('sends exactly one e-mail to each consenting, non-suppressed member of a 1,000-customer segment', async () => {
    const tag = `drop-${run}`;
    // Seeded as a marketer would: one CSV through POST /imports.
    const csv = [
      'firstName,lastName,email,tags,emailConsent',
      ...Array.from(
        { length: SEEDED },
        (_, i) => `Member,${i},${address(i)},${tag},${consents(i) ? 'granted' : 'denied'}`,
      ),
    ].join('\n');
    const started = await call('POST', '/imports', { role: 'admin', body: csv, contentType: 'text/csv' });
    expect(started.status).toBe(202);
    const imported = await waitFor(
      () => call('GET', '/imports/{id}', { path: `/imports/${started.body.id}`, role: 'admin' }),
      (read) => read.body.status !== 'queued' && read.body.status !== 'running',
      { timeoutMs: 120_000 },
    );
    expect(imported.body).toMatchObject({ status: 'completed', created: SEEDED, skipped: 0 });
    await inParallel(SEEDED, 8, async (i) => {
      if (!suppressed(i)) return;
      const added = await call('POST', '/suppressions', {
        role: 'marketing',
        body: { email: address(i), reason: 'manual' },
      });
      expect(added.status).toBe(201);
    });
    // Consenting, but not in the segment.
    await call('POST', '/customers', {
      role: 'admin',
      body: {
        name: 'Outsider',
        emails: [{ address: outsider, label: 'work' }],
        consent: { email: { status: 'granted', source: 'signup-form' } },
      },
    });

    const segment = await call('POST', '/segments', {
      role: 'marketing',
      body: { name: 'The drop', rule: { field: 'tags', has: 'any', values: [tag] } },
    });
    const template = await call('POST', '/templates', {
      role: 'marketing',
      body: {
        name: 'Drop',
        subject: 'For you, {{ customer.firstName | default: "friend" }}',
        html: '<p>New things</p>',
        text: 'New things',
      },
    });
    const campaign = await call('POST', '/campaigns', {
      role: 'marketing',
      body: { name: 'The drop', segmentId: segment.body.id, templateId: template.body.id },
    });
    const path = `/campaigns/${campaign.body.id}`;
    const scheduled = await call('POST', '/campaigns/{id}/schedule', {
      path: `${path}/schedule`,
      role: 'marketing',
      body: { sendAt: wallTimeUtc(2), timeZone: 'UTC' },
    });
    expect(scheduled.status).toBe(200);

    const done = await waitFor(
      () => call('GET', '/campaigns/{id}', { path, role: 'marketing' }),
      (read) => read.body.status === 'sent',
      { timeoutMs: 120_000 },
    );
    await suite.runtime.waitForIdle();
    expect(done.body).toMatchObject({ status: 'sent', completedAt: expect.any(String) });
    expect(done.body.report.progress).toEqual({
      queued: expectedRecipients.length,
      queueComplete: true,
      sent: expectedRecipients.length,
      failed: 0,
      skipped: 0,
      skippedByReason: { 'no-consent': 0, suppressed: 0, 'no-email': 0, gone: 0 },
    });

    // Consenting customers also got the welcome e-mail when they were created: count the campaign's.
    const messages = (await mailbox().all()).filter(
      (message) =>
        message.subject.startsWith('For you') &&
        message.destination.to.some((to) => to.includes(`-${run}@campaign.example`)),
    );
    const perAddress = new Map<string, number>();
    for (const message of messages) {
      for (const to of message.destination.to) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    }
    expect(perAddress.size).toBe(expectedRecipients.length);
    for (const i of expectedRecipients) expect(perAddress.get(address(i))).toBe(1);
    expect(perAddress.has(outsider)).toBe(false);
    expect(messages.every((message) => message.subject === 'For you, Member')).toBe(true);
    expect(suite.runtime.queues.deadLetters).toHaveLength(0);
    // The local SES stand-in reported each delivery (as SES does through EventBridge).
    const tracked = await call('GET', '/campaigns/{id}', { path, role: 'marketing' });
    expect(tracked.body.report.tracking).toMatchObject({ delivered: expectedRecipients.length, bounced: 0 });
    expect(suite.api.violations).toEqual([]);
  }, 240_000);
});
