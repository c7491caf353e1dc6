import { describe, expect, it } from 'vitest';
import { useE2eSuite } from '../helpers/e2e-client.ts';

/**
 * The automated e-mails' configuration over HTTP on the local runtime; every response is checked
 * against the OpenAPI document the API serves.
 */
const { suite, call } = useE2eSuite();

describe('automations API end to end', () => {
  it('lists both kinds, configures one with If-Match, and refuses what it must', async () => {
    const list = await call('GET', '/automations', { role: 'marketing' });
    expect(list).toMatchObject({
      status: 200,
      body: { items: [{ kind: 'birthday' }, { kind: 'anniversary' }] },
    });
    const unset = await call('GET', '/automations/{kind}', {
      path: '/automations/birthday',
      role: 'manager',
    });
    expect(unset).toMatchObject({ status: 200, body: { enabled: false, templateId: null, version: 0 } });
    expect(unset.headers.get('etag')).toBe('"0"');

    const template = await call('POST', '/templates', {
      role: 'marketing',
      body: {
        name: 'Birthday',
        subject: 'Happy birthday, {{ customer.firstName }}!',
        html: '<p>All the best from us.</p>',
        text: 'All the best from us.',
      },
    });
    expect(template.status).toBe(201);
    const configured = await call('PUT', '/automations/{kind}', {
      path: '/automations/birthday',
      role: 'marketing',
      headers: { 'if-match': '"0"' },
      body: { templateId: template.body.id, enabled: true },
    });
    expect(configured).toMatchObject({ status: 200, body: { enabled: true, version: 1 } });
    expect(configured.headers.get('etag')).toBe('"1"');

    const stale = await call('PUT', '/automations/{kind}', {
      path: '/automations/birthday',
      role: 'admin',
      headers: { 'if-match': '"0"' },
      body: { templateId: template.body.id, enabled: false },
    });
    expect(stale.status).toBe(412);
    const unknown = await call('PUT', '/automations/{kind}', {
      path: '/automations/anniversary',
      role: 'admin',
      body: { templateId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R', enabled: true },
    });
    expect(unknown).toMatchObject({ status: 422, body: { errors: [{ field: 'templateId' }] } });
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    const badKind = await call('GET', '/automations/{kind}', {
      path: '/automations/christmas',
      role: 'admin',
    });
    expect(badKind).toMatchObject({ status: 400, body: { errors: [{ field: 'kind' }] } });
    expect((await call('GET', '/automations', { role: 'sales' })).status).toBe(403);
    expect((await call('GET', '/automations', {})).status).toBe(401);
  });

  it('kept the contract on every response', () => {
    expect(suite.api.violations).toEqual([]);
  });
});
