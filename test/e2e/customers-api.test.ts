import { describe, expect, it } from 'vitest';
import { useE2eSuite } from '../helpers/e2e-client.ts';
import { mailbox } from '../support/mailbox.ts';

/**
 * The whole loop over HTTP, on the local runtime (DynamoDB Local, stream poller, outbox publisher,
 * local bus, welcome consumer, SES emulator): every response is also checked against the
 * OpenAPI document the API serves.
 */
const { suite, call } = useE2eSuite();

const address = (name: string) =>
  `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;

describe('customers API end to end', () => {
  it('serves health, docs and a valid OpenAPI document without a token', async () => {
    expect((await call('GET', '/health')).body).toEqual({ status: 'ok' });
    const document = await call('GET', '/openapi.json');
    expect(document.body.servers[0]).toMatchObject({ url: suite.runtime.apiUrl, 'x-internal': true });
    const docs = await fetch(`${suite.runtime.apiUrl}/docs`);
    expect(await docs.text()).toContain('SwaggerUIBundle');
    const script = await call('GET', '/docs/swagger-ui-bundle.js');
    expect(script.headers.get('content-type')).toBe('text/javascript');
    expect(script.text.length).toBeGreaterThan(100_000);
    const styles = await call('GET', '/docs/swagger-ui.css');
    expect(styles.headers.get('content-type')).toBe('text/css');
  });

  it('answers 401 without a valid token, as API Gateway does', async () => {
    expect(await call('GET', '/customers')).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    const forged = await call('GET', '/customers', { headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(forged.status).toBe(401);
  });

  it('sends exactly one welcome e-mail to a customer who consented, none to one who did not', async () => {
    const yes = address('yes');
    const no = address('no');
    const consented = await call('POST', '/customers', {
      role: 'marketing',
      body: {
        name: 'Yara Yes',
        emails: [{ address: yes }],
        consent: { email: { status: 'granted', source: 'e2e' } },
      },
    });
    expect(consented.status).toBe(201);
    await call('POST', '/customers', {
      role: 'marketing',
      body: { name: 'Nora No', emails: [{ address: no }] },
    });
    await suite.runtime.waitForIdle();
    const mails = await mailbox().messagesFor(yes);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Welcome, Yara!');
    expect(await mailbox().messagesFor(no)).toHaveLength(0);
    // Updating the customer publishes customer.updated, which sends no second welcome.
    await call('PATCH', '/customers/{id}', {
      path: `/customers/${consented.body.id}`,
      role: 'admin',
      body: { title: 'CTO' },
    });
    await suite.runtime.waitForIdle();
    expect(await mailbox().messagesFor(yes)).toHaveLength(1);
    const exported = await call('GET', '/customers/{id}/export', {
      path: `/customers/${consented.body.id}/export`,
      role: 'admin',
    });
    expect(exported.body.emailsSent).toMatchObject([{ kind: 'welcome', status: 'sent' }]);
  });

  it('runs create → read → conditional update → delete with ETags', async () => {
    const fields = await call('PUT', '/settings/custom-fields', {
      role: 'admin',
      body: { fields: [{ key: 'seats', label: 'Seats', type: 'number' }] },
    });
    expect(fields.status).toBe(200);
    const created = await call('POST', '/customers', {
      role: 'sales',
      sub: 'rep-e2e',
      body: {
        name: 'Eve Example',
        emails: [{ address: address('eve') }],
        tags: ['trial'],
        customFields: { seats: 5 },
      },
    });
    expect(created).toMatchObject({
      status: 201,
      body: { ownerId: 'rep-e2e', lifecycleStage: 'lead', version: 1 },
    });
    expect(created.headers.get('location')).toBe(`/customers/${created.body.id}`);
    const path = `/customers/${created.body.id}`;

    const read = await call('GET', '/customers/{id}', { path, role: 'support' });
    expect(read.headers.get('etag')).toBe('"1"');

    const patched = await call('PATCH', '/customers/{id}', {
      path,
      role: 'sales',
      sub: 'rep-e2e',
      body: { lifecycleStage: 'prospect', customFields: { seats: null } },
      headers: { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' },
    });
    expect(patched).toMatchObject({
      status: 200,
      body: { lifecycleStage: 'prospect', customFields: {}, version: 2 },
    });
    expect(patched.headers.get('etag')).toBe('"2"');

    const stale = await call('PATCH', '/customers/{id}', {
      path,
      role: 'admin',
      body: { title: 'x' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toBe('application/problem+json');

    expect((await call('DELETE', '/customers/{id}', { path, role: 'sales', sub: 'rep-e2e' })).status).toBe(
      403,
    );
    expect(
      (await call('DELETE', '/customers/{id}', { path, role: 'manager', headers: { 'if-match': '"2"' } }))
        .status,
    ).toBe(204);
    expect((await call('GET', '/customers/{id}', { path, role: 'admin' })).status).toBe(404);
  });

  it('answers bad input with problem details naming each field, and loses nothing', async () => {
    const bad = await call('POST', '/customers', {
      role: 'admin',
      body: { name: '', emails: [{ address: 'nope' }], lifecycleStage: 'vip', role: 'admin' },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'emails.0.address',
      'lifecycleStage',
      'name',
      'role',
    ]);
    expect((await call('POST', '/customers', { role: 'admin', body: '{"name": "Broken' })).status).toBe(400);
    expect(
      (
        await call('POST', '/customers', {
          role: 'admin',
          body: 'name=x',
          headers: { 'content-type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    expect(
      (await call('GET', '/customers', { role: 'admin', path: '/customers?limit=abc&colour=red' })).status,
    ).toBe(400);
  });

  it('replays an Idempotency-Key over HTTP and refuses it for another body', async () => {
    const body = { name: 'Ida Idempotent', emails: [{ address: address('ida') }] };
    const headers = { 'idempotency-key': `e2e-${Date.now()}` };
    const first = await call('POST', '/customers', { role: 'admin', body, headers });
    const again = await call('POST', '/customers', { role: 'admin', body, headers });
    expect(again.body).toEqual(first.body);
    expect(
      (await call('POST', '/customers', { role: 'admin', body: { name: 'Other' }, headers })).status,
    ).toBe(422);
  });

  it('pages through a filtered list with cursors', async () => {
    const tag = `e2e${Date.now()}`;
    for (let i = 0; i < 5; i++)
      await call('POST', '/customers', { role: 'admin', body: { name: `Page ${i}`, tags: [tag] } });
    const first = await call('GET', '/customers', { role: 'sales', path: `/customers?tag=${tag}&limit=2` });
    expect(first.body.items).toHaveLength(2);
    const second = await call('GET', '/customers', {
      role: 'sales',
      path: `/customers?tag=${tag}&limit=2&cursor=${first.body.nextCursor}`,
    });
    expect(second.body.items.map((c: { name: string }) => c.name)).toEqual(['Page 2', 'Page 1']);
  });

  it('records purchases and interactions and shows them on the timeline', async () => {
    const customer = (
      await call('POST', '/customers', { role: 'sales', sub: 'rep-t', body: { name: 'Tim Line' } })
    ).body;
    const path = (suffix: string) => `/customers/${customer.id}/${suffix}`;
    const order = {
      amount: 4500,
      currency: 'EUR',
      items: [{ name: 'Lamp', quantity: 1, unitPrice: 5000 }],
      discount: 500,
      externalOrderId: `E2E-${Date.now()}`,
    };
    const bought = await call('POST', '/customers/{id}/purchases', {
      path: path('purchases'),
      role: 'sales',
      sub: 'rep-t',
      body: order,
    });
    expect(bought.status).toBe(201);
    const again = await call('POST', '/customers/{id}/purchases', {
      path: path('purchases'),
      role: 'sales',
      sub: 'rep-t',
      body: order,
    });
    expect(again).toMatchObject({ status: 200, body: { id: bought.body.id } });
    const noted = await call('POST', '/customers/{id}/interactions', {
      path: path('interactions'),
      role: 'support',
      body: { type: 'note', channel: 'other', direction: 'internal', summary: 'Prefers e-mail.' },
    });
    expect(noted.status).toBe(201);
    const timeline = await call('GET', '/customers/{id}/timeline', {
      path: path('timeline'),
      role: 'marketing',
    });
    expect(timeline.body.items.map((e: { kind: string }) => e.kind).sort()).toEqual([
      'interaction',
      'lifecycle-change',
      'purchase',
    ]);
    const profile = await call('GET', '/customers/{id}', {
      path: `/customers/${customer.id}`,
      role: 'sales',
    });
    expect(profile.body).toMatchObject({ lifecycleStage: 'customer', purchaseSummary: { orderCount: 1 } });
    await suite.runtime.waitForIdle();
  });

  it('has a contract checker that does flag what the document does not promise', async () => {
    const json = { 'content-type': 'application/json', 'x-ratelimit-limit': '100' };
    const extraField = new Response(JSON.stringify({ status: 'ok', debug: true }), {
      status: 200,
      headers: json,
    });
    expect(await suite.api.check('GET', '/health', extraField)).toEqual([
      expect.stringContaining('additional properties'),
    ]);
    const undocumented = new Response('{}', { status: 418, headers: json });
    expect(await suite.api.check('GET', '/health', undocumented)).toEqual([expect.stringContaining('418')]);
  });

  it('kept every response within the OpenAPI document', () => {
    expect(suite.api.violations).toEqual([]);
  });
});
