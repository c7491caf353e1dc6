import { describe, expect, it } from 'vitest';
import { useE2eSuite } from '../helpers/e2e-client.ts';

/**
 * Merge, GDPR erase, interaction corrections and data-driven lifecycle over HTTP on the local
 * runtime (the cleanup consumer runs from the bus as in AWS); every response is checked against
 * the served OpenAPI document, 308s included.
 */
const { suite, call } = useE2eSuite();

const run = Math.random().toString(36).slice(2, 8);
const create = async (body: Record<string, unknown>) => {
  const created = await call('POST', '/customers', { role: 'admin', body });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number };
};
const note = { type: 'call', channel: 'phone', direction: 'inbound' } as const;

describe('Customer 360 end to end', () => {
  it('merges a duplicate: the old id answers 308 to the survivor, which holds everything', async () => {
    const target = await create({
      name: `Marie Curie ${run}`,
      emails: [{ address: `marie-${run}@example.com` }],
    });
    const source = await create({ name: `M. Curie ${run}`, emails: [{ address: `mc-${run}@example.org` }] });
    await call('POST', '/customers/{id}/interactions', {
      path: `/customers/${source.id}/interactions`,
      role: 'support',
      body: { ...note, summary: 'Asked about radium' },
    });
    const merged = await call('POST', '/customers/{id}/merge', {
      path: `/customers/${target.id}/merge`,
      role: 'manager',
      body: { sourceId: source.id },
    });
    expect(merged.status).toBe(200);
    expect(merged.body.emails).toHaveLength(2);
    await suite.runtime.waitForIdle();

    const moved = await call('GET', '/customers/{id}', {
      path: `/customers/${source.id}`,
      role: 'sales',
      redirect: 'manual',
    });
    expect(moved).toMatchObject({ status: 308, body: { customerId: source.id, mergedInto: target.id } });
    expect(moved.headers.get('location')).toBe(`/customers/${target.id}`);
    // An HTTP client follows it on its own and lands on the survivor.
    const followed = await call('GET', '/customers/{id}', { path: `/customers/${source.id}`, role: 'sales' });
    expect(followed).toMatchObject({ status: 200, body: { id: target.id } });
    const timeline = await call('GET', '/customers/{id}/timeline', {
      path: `/customers/${target.id}/timeline`,
      role: 'sales',
    });
    expect(timeline.body.items.map((e: { summary?: string }) => e.summary)).toContain('Asked about radium');
  });

  it('corrects an interaction as support, refuses another rep, and two concurrent edits both land', async () => {
    const customer = await create({ name: `Owned ${run}`, ownerId: 'rep-a' });
    const logged = await call('POST', '/customers/{id}/interactions', {
      path: `/customers/${customer.id}/interactions`,
      role: 'sales',
      sub: 'rep-a',
      body: { ...note, summary: 'First call' },
    });
    const path = `/customers/${customer.id}/interactions/${logged.body.id}`;
    const template = '/customers/{id}/interactions/{interactionId}';
    const bySupport = await call('PATCH', template, {
      path,
      role: 'support',
      body: { summary: 'First call, resolved' },
    });
    expect(bySupport).toMatchObject({ status: 200, body: { revision: 1, editedBy: 'dev-support' } });
    expect(
      (await call('PATCH', template, { path, role: 'sales', sub: 'rep-b', body: { summary: 'x' } })).status,
    ).toBe(403);
    const both = await Promise.all(
      ['a', 'b'].map((summary) => call('PATCH', template, { path, role: 'manager', body: { summary } })),
    );
    expect(both.map((r) => r.body.revision).sort()).toEqual([2, 3]);
  });

  it('makes a frequent buyer loyal through purchases alone', async () => {
    const customer = await create({ name: `Frequent ${run}` });
    for (let i = 0; i < 5; i++) {
      const purchase = await call('POST', '/customers/{id}/purchases', {
        path: `/customers/${customer.id}/purchases`,
        role: 'admin',
        body: { amount: 1000 + i, currency: 'EUR' },
      });
      expect(purchase.status).toBe(201);
    }
    const read = await call('GET', '/customers/{id}', { path: `/customers/${customer.id}`, role: 'admin' });
    expect(read.body.lifecycleStage).toBe('loyal');
  });

  it('erases a person: 200 with a receipt, 404 afterwards, 403 for other roles, idempotent', async () => {
    const customer = await create({
      name: `Erasable ${run}`,
      emails: [{ address: `erase-${run}@example.com` }],
      consent: { email: { status: 'granted', source: 'form' } },
    });
    const path = `/customers/${customer.id}/erase`;
    expect((await call('POST', '/customers/{id}/erase', { path, role: 'support' })).status).toBe(403);
    const erased = await call('POST', '/customers/{id}/erase', { path, role: 'admin' });
    expect(erased).toMatchObject({ status: 200, body: { customerId: customer.id, erasedBy: 'dev-admin' } });
    await suite.runtime.waitForIdle();
    expect((await call('POST', '/customers/{id}/erase', { path, role: 'manager' })).body).toEqual(
      erased.body,
    );
    expect(
      (await call('GET', '/customers/{id}', { path: `/customers/${customer.id}`, role: 'admin' })).status,
    ).toBe(404);
    const byEmail = await call('GET', '/customers', {
      path: `/customers?email=erase-${run}@example.com`,
      role: 'admin',
    });
    expect(byEmail.body.items).toEqual([]);
  });

  it('kept every response within the OpenAPI document', () => {
    expect(suite.api.violations).toEqual([]);
  });
});
