import { describe, expect, it } from 'vitest';
import { useE2eSuite } from '../helpers/e2e-client.ts';
import { mailbox } from '../support/mailbox.ts';

/**
 * Templates and unsubscribe over HTTP on the local runtime (DynamoDB Local, stream, bus, welcome
 * consumer, SES emulator); every response checked against the served OpenAPI document.
 */
const { suite, call } = useE2eSuite();

const address = (name: string) =>
  `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;

describe('templates API end to end', () => {
  it('creates, lists, previews, changes and deletes a template', async () => {
    const created = await call('POST', '/templates', {
      role: 'marketing',
      headers: { 'Idempotency-Key': `tpl-${Date.now()}` },
      body: {
        name: 'Spring newsletter',
        subject: 'Spring picks for {{ customer.firstName | default: "you" }}',
        html: '<h1>{{ campaign.name | default: "News" }}</h1>{% for tag in customer.tags %}<i>{{ tag }}</i>{% endfor %}',
        text: 'Hello {{ customer.name }}',
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const list = await call('GET', '/templates', { role: 'manager' });
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(id);

    const customer = await call('POST', '/customers', {
      role: 'admin',
      body: { name: 'Pia <Preview>', tags: ['vip'], emails: [{ address: address('pia') }] },
    });
    const preview = await call('POST', '/templates/{id}/render', {
      path: `/templates/${id}/render`,
      role: 'marketing',
      body: { customerId: customer.body.id, campaignName: 'Spring' },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.subject).toBe('Spring picks for Pia');
    expect(preview.body.html).toContain('<h1>Spring</h1><i>vip</i>');
    expect(preview.body.text).toContain('Hello Pia <Preview>');

    const broken = await call('PATCH', '/templates/{id}', {
      path: `/templates/${id}`,
      role: 'marketing',
      contentType: 'application/merge-patch+json',
      body: { html: '<p>\n{% if customer.name %}' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0]).toMatchObject({ field: 'html', detail: expect.stringContaining('line 2') });
    const changed = await call('PATCH', '/templates/{id}', {
      path: `/templates/${id}`,
      role: 'marketing',
      headers: { 'If-Match': created.headers.get('etag') ?? '' },
      body: { name: 'Spring newsletter v2' },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    expect((await call('GET', '/templates/{id}', { path: `/templates/${id}`, role: 'sales' })).status).toBe(
      403,
    );
    expect((await call('GET', '/templates', {})).status).toBe(401);
    const removed = await call('DELETE', '/templates/{id}', { path: `/templates/${id}`, role: 'admin' });
    expect(removed.status).toBe(204);
  });

  it('refuses to delete a template a campaign uses (409 naming it), and deletes it once cancelled', async () => {
    const template = await call('POST', '/templates', {
      role: 'marketing',
      body: { name: 'In use', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' },
    });
    const segment = await call('POST', '/segments', {
      role: 'marketing',
      body: { name: 'E2E in use', rule: { field: 'emailConsent', in: ['granted'] } },
    });
    const campaign = await call('POST', '/campaigns', {
      role: 'marketing',
      body: { name: 'Uses it', segmentId: segment.body.id, templateId: template.body.id },
    });
    expect(campaign.status).toBe(201);
    const path = `/templates/${template.body.id}`;
    const refused = await call('DELETE', '/templates/{id}', { path, role: 'marketing' });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.usedBy).toEqual([{ kind: 'campaign', id: campaign.body.id }]);
    expect(refused.body.detail).toContain(campaign.body.id);
    const segmentRefused = await call('DELETE', '/segments/{id}', {
      path: `/segments/${segment.body.id}`,
      role: 'marketing',
    });
    expect(segmentRefused.status).toBe(409);

    const cancelled = await call('POST', '/campaigns/{id}/cancel', {
      path: `/campaigns/${campaign.body.id}/cancel`,
      role: 'marketing',
    });
    expect(cancelled.status).toBe(200);
    expect((await call('DELETE', '/templates/{id}', { path, role: 'marketing' })).status).toBe(204);
  });

  it('unsubscribes from the welcome e-mail by one-click, and nothing more is sent', async () => {
    const to = address('uno');
    const customer = await call('POST', '/customers', {
      role: 'marketing',
      body: {
        name: 'Uno Click',
        emails: [{ address: to }],
        consent: { email: { status: 'granted', source: 'e2e' } },
      },
    });
    expect(customer.status).toBe(201);
    await suite.runtime.waitForIdle();
    const [welcome] = await mailbox().messagesFor(to);
    // The emulator keeps no headers: the body carries the same URL as List-Unsubscribe (unit-tested).
    const url = /Unsubscribe: (\S+)/.exec(welcome?.body.text ?? '')?.[1] ?? '';
    expect(url).toMatch(
      new RegExp(`^${suite.runtime.apiUrl}/unsubscribe/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`),
    );
    expect(welcome?.body.html).toContain(`href="${url}"`);
    const path = new URL(url).pathname;

    const page = await call('GET', '/unsubscribe/{code}', { path });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post">');
    const oneClick = await call('POST', '/unsubscribe/{code}', {
      path,
      body: 'List-Unsubscribe=One-Click',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(oneClick.status).toBe(200);
    const again = await call('POST', '/unsubscribe/{code}', { path });
    expect(again.status).toBe(200);
    await suite.runtime.waitForIdle();

    const after = await call('GET', '/customers/{id}', {
      path: `/customers/${customer.body.id}`,
      role: 'admin',
    });
    expect(after.body.consent.email).toMatchObject({ status: 'denied', source: 'one-click' });
    expect(after.body.version).toBe(2);
    const timeline = await call('GET', '/customers/{id}/timeline', {
      path: `/customers/${customer.body.id}/timeline`,
      role: 'admin',
    });
    expect(timeline.body.items.filter((e: { kind: string }) => e.kind === 'unsubscribe')).toHaveLength(1);
    // A later change publishes customer.updated; still one message only.
    await call('PATCH', '/customers/{id}', {
      path: `/customers/${customer.body.id}`,
      role: 'admin',
      body: { title: 'CEO' },
    });
    await suite.runtime.waitForIdle();
    expect(await mailbox().messagesFor(to)).toHaveLength(1);

    const forged = await call('POST', '/unsubscribe/{code}', { path: `${path.slice(0, -3)}AAA` });
    expect(forged.status).toBe(404);
    expect((await call('GET', '/unsubscribe/{code}', { path: '/unsubscribe/nope' })).status).toBe(400);
  });

  it('kept to the OpenAPI document', () => {
    expect(suite.api.violations).toEqual([]);
  });
});
