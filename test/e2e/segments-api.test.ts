import { describe, expect, it } from 'vitest';
import { useE2eSuite } from '../helpers/e2e-client.ts';

/**
 * Segments, previews and the suppression list over HTTP on the local runtime; every response is
 * checked against the OpenAPI document the API serves.
 */
const { suite, call } = useE2eSuite();

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

describe('segments API end to end', () => {
  it('previews the marketable audience of a rule, and suppression takes people out of it', async () => {
    const tag = `e2e-${unique()}`;
    const emails = [0, 1, 2].map((i) => `seg${i}-${unique()}@example.com`);
    for (const [i, address] of emails.entries()) {
      const created = await call('POST', '/customers', {
        role: 'marketing',
        body: {
          name: `Segment Person ${i}`,
          emails: [{ address }],
          tags: [tag],
          consent: { email: { status: i < 2 ? 'granted' : 'denied', source: 'e2e' } },
        },
      });
      expect(created.status).toBe(201);
    }
    const segment = await call('POST', '/segments', {
      role: 'marketing',
      headers: { 'idempotency-key': `seg-${unique()}` },
      body: {
        name: 'E2E',
        rule: {
          and: [
            { field: 'tags', has: 'any', values: [tag] },
            { not: { field: 'orderCount', op: 'gt', value: 0 } },
          ],
        },
      },
    });
    expect(segment.status).toBe(201);
    expect(segment.headers.get('etag')).toBe('"1"');
    const path = `/segments/${segment.body.id}`;
    const previewPath = `${path}/preview`;

    const before = await call('POST', '/segments/{id}/preview', { path: previewPath, role: 'support' });
    expect(before).toMatchObject({ status: 200, body: { count: 2 } });
    expect(before.body.sample.map((m: { email: string }) => m.email).sort()).toEqual(
      emails.slice(0, 2).sort(),
    );

    const suppressed = await call('POST', '/suppressions', {
      role: 'marketing',
      body: { email: emails[0], reason: 'hard-bounce' },
    });
    expect(suppressed).toMatchObject({ status: 201, body: { email: emails[0], reason: 'hard-bounce' } });
    expect(
      (await call('POST', '/segments/{id}/preview', { path: previewPath, role: 'sales' })).body.count,
    ).toBe(1);
    const list = await call('GET', '/suppressions', { path: '/suppressions?limit=5', role: 'manager' });
    expect(list.status).toBe(200);
    expect((await call('GET', '/suppressions', { role: 'support' })).status).toBe(403);

    const lifted = await call('DELETE', '/suppressions/{email}', {
      path: `/suppressions/${encodeURIComponent(emails[0] as string)}`,
      role: 'admin',
    });
    expect(lifted.status).toBe(204);
    expect(
      (await call('POST', '/segments/{id}/preview', { path: previewPath, role: 'sales' })).body.count,
    ).toBe(2);

    const patched = await call('PATCH', '/segments/{id}', {
      path,
      role: 'marketing',
      headers: { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' },
      body: { name: 'E2E renamed' },
    });
    expect(patched).toMatchObject({ status: 200, body: { name: 'E2E renamed', version: 2 } });
    expect((await call('GET', '/segments', { path: '/segments?limit=10', role: 'support' })).status).toBe(
      200,
    );
    expect((await call('GET', '/segments/{id}', { path, role: 'support' })).headers.get('etag')).toBe('"2"');
    expect((await call('DELETE', '/segments/{id}', { path, role: 'sales' })).status).toBe(403);
    expect(
      (await call('DELETE', '/segments/{id}', { path, role: 'marketing', headers: { 'if-match': '"1"' } }))
        .status,
    ).toBe(412);
    expect((await call('DELETE', '/segments/{id}', { path, role: 'marketing' })).status).toBe(204);
    expect((await call('POST', '/segments/{id}/preview', { path: previewPath, role: 'sales' })).status).toBe(
      404,
    );
  });

  it('rejects bad rules with problem details naming the field', async () => {
    const tooDeep = { not: { not: { not: { not: { not: { field: 'gender', in: ['male'] } } } } } };
    const deep = await call('POST', '/segments', { role: 'admin', body: { name: 'Deep', rule: tooDeep } });
    expect(deep.status).toBe(400);
    expect(deep.headers.get('content-type')).toContain('application/problem+json');
    expect(deep.body.errors[0].field).toBe('rule');
    const badValue = await call('POST', '/segments', {
      role: 'admin',
      body: { name: 'Bad', rule: { and: [{ field: 'lastPurchase' }] } },
    });
    expect(badValue).toMatchObject({ status: 400, body: { errors: [{ field: 'rule.and.0' }] } });
    const badEmail = await call('POST', '/suppressions', {
      role: 'admin',
      body: { email: 'not-an-address' },
    });
    expect(badEmail).toMatchObject({ status: 400, body: { errors: [{ field: 'email' }] } });
  });

  it('kept the contract on every response', () => {
    expect(suite.api.violations).toEqual([]);
  });
});
