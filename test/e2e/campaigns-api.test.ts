import { beforeAll, describe, expect, it } from 'vitest';
import { useE2eSuite, waitFor } from '../helpers/e2e-client.ts';
import { mailbox } from '../support/mailbox.ts';

/**
 * Campaign scheduling over HTTP on the local runtime: the campaigns API creates one-time schedules
 * through the real Scheduler SDK client against the local Scheduler, which invokes the dispatcher
 * when they are due. Every response is checked against the served OpenAPI document.
 */
const { suite, call } = useE2eSuite();
let segmentId: string;
let templateId: string;

/** The wall-clock time in `timeZone`, `seconds` from now (`YYYY-MM-DDTHH:mm:ss`). */
const wallTimeIn = (timeZone: string, seconds: number) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
    .format(new Date(Date.now() + seconds * 1000))
    .replace(' ', 'T');

beforeAll(async () => {
  segmentId = (
    await call('POST', '/segments', {
      role: 'marketing',
      body: { name: 'Everyone consenting', rule: { field: 'emailConsent', in: ['granted'] } },
    })
  ).body.id;
  templateId = (
    await call('POST', '/templates', {
      role: 'marketing',
      body: { name: 'News', subject: 'News', html: '<p>Hello</p>', text: 'Hello' },
    })
  ).body.id;
});

const createDraft = async (name: string) => {
  const created = await call('POST', '/campaigns', {
    role: 'marketing',
    body: { name, segmentId, templateId },
  });
  expect(created).toMatchObject({ status: 201, body: { status: 'draft', version: 1 } });
  return created.body as { id: string };
};

describe('campaigns end to end', () => {
  it('starts a campaign scheduled two seconds ahead in its time zone, once', async () => {
    const campaign = await createDraft('Two seconds');
    const path = `/campaigns/${campaign.id}`;
    const scheduled = await call('POST', '/campaigns/{id}/schedule', {
      path: `${path}/schedule`,
      role: 'marketing',
      body: { sendAt: wallTimeIn('Asia/Kolkata', 2), timeZone: 'Asia/Kolkata' },
    });
    expect(scheduled).toMatchObject({
      status: 200,
      body: { status: 'scheduled', schedule: { timeZone: 'Asia/Kolkata' } },
    });
    expect(Math.abs(Date.parse(scheduled.body.schedule.at) - Date.now() - 2000)).toBeLessThan(3000);
    const started = await waitFor(
      () => call('GET', '/campaigns/{id}', { path, role: 'marketing' }),
      (read) => read.body.status !== 'scheduled',
    );
    // Sending, or already sent: its audience here is small.
    expect(['sending', 'sent']).toContain(started.body.status);
    expect(started.body.startedAt).toEqual(expect.any(String));
  });

  it('reschedules and cancels until sending starts: an outdated schedule starts nothing', async () => {
    const campaign = await createDraft('Moved then cancelled');
    const path = `/campaigns/${campaign.id}`;
    const schedule = (sendAt: string) =>
      call('POST', '/campaigns/{id}/schedule', {
        path: `${path}/schedule`,
        role: 'admin',
        body: { sendAt, timeZone: 'UTC' },
      });
    expect((await schedule(wallTimeIn('UTC', 2))).status).toBe(200);
    const moved = await schedule(wallTimeIn('UTC', 3600));
    expect(moved.body.schedule.scheduleId).toMatch(/-v3$/);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect((await call('GET', '/campaigns/{id}', { path, role: 'admin' })).body.status).toBe('scheduled');
    const cancelled = await call('POST', '/campaigns/{id}/cancel', {
      path: `${path}/cancel`,
      role: 'manager',
    });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
    expect(
      await call('POST', '/campaigns/{id}/cancel', { path: `${path}/cancel`, role: 'manager' }),
    ).toMatchObject({
      status: 409,
    });
    expect((await call('DELETE', '/campaigns/{id}', { path, role: 'admin' })).status).toBe(204);
  });

  it('refuses times that never come, unknown zones, missing references and other roles', async () => {
    const campaign = await createDraft('Refusals');
    const at = (sendAt: string, timeZone: string) =>
      call('POST', '/campaigns/{id}/schedule', {
        path: `/campaigns/${campaign.id}/schedule`,
        role: 'marketing',
        body: { sendAt, timeZone },
      });
    const gap = await at('2027-03-28T02:30', 'Europe/Paris');
    expect(gap).toMatchObject({ status: 422, body: { errors: [{ field: 'sendAt' }] } });
    expect((await at('2020-01-01T09:00', 'UTC')).status).toBe(422);
    expect((await at('2027-01-01T09:00', 'Mars/Olympus')).body.errors[0].field).toBe('timeZone');
    const dangling = await call('POST', '/campaigns', {
      role: 'marketing',
      body: { name: 'Dangling', segmentId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R', templateId },
    });
    expect(dangling).toMatchObject({ status: 422, body: { errors: [{ field: 'segmentId' }] } });
    const patched = await call('PATCH', '/campaigns/{id}', {
      path: `/campaigns/${campaign.id}`,
      role: 'marketing',
      body: { templateId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R' },
    });
    expect(patched).toMatchObject({ status: 422, body: { errors: [{ field: 'templateId' }] } });
    for (const sendAt of ['2027-02-30T09:00', '2027-04-31T09:00', '2027-03-01T24:00']) {
      expect(await at(sendAt, 'UTC')).toMatchObject({ status: 400, body: { errors: [{ field: 'sendAt' }] } });
    }
    expect(await at('9999-12-31T23:59', 'UTC')).toMatchObject({
      status: 422,
      body: { errors: [{ field: 'sendAt', detail: 'Must be within 5 years' }] },
    });
    expect((await call('GET', '/campaigns', { role: 'sales' })).status).toBe(403);
  });

  it('refuses to schedule a template that cannot be rendered, as the test send does', async () => {
    const heavy = await call('POST', '/templates', {
      role: 'marketing',
      body: {
        name: 'Heavy',
        subject: 'Heavy',
        html: '<p>x</p>',
        text: '{% for a in (1..3000) %}{% for b in (1..3000) %}{% endfor %}{% endfor %}',
      },
    });
    expect(heavy.status).toBe(201);
    const created = await call('POST', '/campaigns', {
      role: 'marketing',
      body: { name: 'Heavy', segmentId, templateId: heavy.body.id },
    });
    const inAnHour = () =>
      call('POST', '/campaigns/{id}/schedule', {
        path: `/campaigns/${created.body.id}/schedule`,
        role: 'marketing',
        body: { sendAt: wallTimeIn('UTC', 3600).slice(0, 16), timeZone: 'utc' },
      });
    const scheduled = await inAnHour();
    expect(scheduled).toMatchObject({ status: 422, body: { errors: [{ field: 'templateId' }] } });
    const light = await call('PATCH', '/campaigns/{id}', {
      path: `/campaigns/${created.body.id}`,
      role: 'marketing',
      body: { templateId },
    });
    expect(light.status).toBe(200);
    const rescheduled = await inAnHour();
    expect(rescheduled).toMatchObject({ status: 200, body: { schedule: { timeZone: 'UTC' } } });
    const cancelled = await call('POST', '/campaigns/{id}/cancel', {
      path: `/campaigns/${created.body.id}/cancel`,
      role: 'marketing',
    });
    expect(cancelled.status).toBe(200);
  });

  it('sends a test to given addresses only, marked [Test], unsubscribing no one', async () => {
    const campaign = await createDraft('Test send');
    const to = [`qa-${Date.now()}@example.com`, `boss-${Date.now()}@example.com`];
    const sent = await call('POST', '/campaigns/{id}/test', {
      path: `/campaigns/${campaign.id}/test`,
      role: 'marketing',
      body: { emails: to },
    });
    expect(sent).toMatchObject({ status: 200, body: { sent: [{ email: to[0] }, { email: to[1] }] } });
    for (const address of to) {
      const [mail, ...more] = await mailbox().messagesFor(address);
      expect(more).toEqual([]);
      expect(mail?.subject).toBe('[Test] News');
      expect(mail?.body.text).toContain('/unsubscribe/preview');
    }
    // The test e-mail's link says what it is, and its one-click unsubscribes no one.
    const page = await call('GET', '/unsubscribe/{code}', { path: '/unsubscribe/preview' });
    expect(page).toMatchObject({ status: 200, text: expect.stringContaining('unsubscribes no one') });
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const oneClick = await call('POST', '/unsubscribe/{code}', {
      path: '/unsubscribe/preview',
      body: 'List-Unsubscribe=One-Click',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(oneClick).toMatchObject({ status: 200, text: expect.stringContaining('unsubscribes no one') });

    // A suppressed address gets no test e-mail either.
    const suppressed = `bounced-${Date.now()}@example.com`;
    expect(
      (
        await call('POST', '/suppressions', {
          role: 'marketing',
          body: { email: suppressed, reason: 'manual' },
        })
      ).status,
    ).toBe(201);
    const refused = await call('POST', '/campaigns/{id}/test', {
      path: `/campaigns/${campaign.id}/test`,
      role: 'marketing',
      body: { emails: [to[0], suppressed] },
    });
    expect(refused).toMatchObject({ status: 422, body: { errors: [{ field: 'emails.1' }] } });
    expect(await mailbox().messagesFor(suppressed)).toEqual([]);
    const tooMany = await call('POST', '/campaigns/{id}/test', {
      path: `/campaigns/${campaign.id}/test`,
      role: 'marketing',
      body: { emails: Array.from({ length: 6 }, (_, i) => `x${i}@example.com`) },
    });
    expect(tooMany).toMatchObject({ status: 400, body: { errors: [{ field: 'emails' }] } });
  });

  it('kept every response within the OpenAPI document', () => {
    expect(suite.api.violations).toEqual([]);
  });
});
