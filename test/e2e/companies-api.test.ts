import { describe, expect, it } from 'vitest';
import { useE2eSuite } from '../helpers/e2e-client.ts';

/**
 * Companies, people's links to them and typed custom fields over HTTP on the local runtime; every
 * response is checked against the OpenAPI document the API serves.
 */
const { suite, call } = useE2eSuite();

const host = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}.example`;

describe('companies API end to end', () => {
  it('runs create → read → conditional update → delete, with roles and ETags', async () => {
    const created = await call('POST', '/companies', {
      role: 'sales',
      sub: 'rep-a',
      body: { name: 'Orbit Ltd', domain: host('orbit'), size: '51-200', industry: 'software' },
    });
    expect(created).toMatchObject({ status: 201, body: { ownerId: 'rep-a', version: 1 } });
    expect(created.headers.get('location')).toBe(`/companies/${created.body.id}`);
    const path = `/companies/${created.body.id}`;
    expect((await call('GET', '/companies/{id}', { path, role: 'support' })).headers.get('etag')).toBe('"1"');

    const byOther = await call('PATCH', '/companies/{id}', {
      path,
      role: 'sales',
      sub: 'rep-b',
      body: { size: '1-10' },
    });
    expect(byOther.status).toBe(403);
    const patched = await call('PATCH', '/companies/{id}', {
      path,
      role: 'sales',
      sub: 'rep-a',
      body: { size: '201-500', industry: null },
      headers: { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' },
    });
    expect(patched).toMatchObject({ status: 200, body: { size: '201-500', version: 2 } });
    expect(patched.body).not.toHaveProperty('industry');
    const stale = await call('PATCH', '/companies/{id}', {
      path,
      role: 'admin',
      body: { size: '1-10' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    const bad = await call('PATCH', '/companies/{id}', {
      path,
      role: 'admin',
      body: { website: 'http://insecure.example', colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'website']);

    expect((await call('DELETE', '/companies/{id}', { path, role: 'sales', sub: 'rep-a' })).status).toBe(403);
    expect((await call('DELETE', '/companies/{id}', { path, role: 'manager' })).status).toBe(204);
    expect((await call('GET', '/companies/{id}', { path, role: 'admin' })).status).toBe(404);
  });

  it('lets one of two concurrent creates with the same domain win; the other is 409 naming it', async () => {
    const domain = host('race');
    const results = await Promise.all(
      ['A', 'B'].map((suffix) =>
        call('POST', '/companies', { role: 'admin', body: { name: `Race ${suffix}`, domain } }),
      ),
    );
    const [winner, loser] = [...results].sort((a, b) => a.status - b.status);
    expect([winner?.status, loser?.status]).toEqual([201, 409]);
    expect(loser?.body.existingId).toBe(winner?.body.id);
    const found = await call('GET', '/companies', { role: 'marketing', path: `/companies?domain=${domain}` });
    expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([winner?.body.id]);
  });

  it('links people with a title, lists them, and refuses unknown companies and busy deletes', async () => {
    const company = await call('POST', '/companies', { role: 'admin', body: { name: 'People Co' } });
    const person = await call('POST', '/customers', {
      role: 'admin',
      body: { name: 'Tia Title', title: 'Head of Sales', companyId: company.body.id },
    });
    expect(person.body).toMatchObject({ company: 'People Co', companyId: company.body.id });
    const people = await call('GET', '/companies/{id}/people', {
      role: 'support',
      path: `/companies/${company.body.id}/people?limit=10`,
    });
    expect(people.body.items.map((p: { title: string }) => p.title)).toEqual(['Head of Sales']);
    const unknown = await call('POST', '/customers', {
      role: 'admin',
      body: { name: 'Nobody', companyId: '01JDQ3Z7YB8V5X1G6N2K4M9C0M' },
    });
    expect(unknown).toMatchObject({ status: 422, body: { errors: [{ field: 'companyId' }] } });
    const busy = await call('DELETE', '/companies/{id}', {
      role: 'admin',
      path: `/companies/${company.body.id}`,
    });
    expect(busy.status).toBe(409);
    expect(busy.body.detail).toContain('1 person is linked');

    // A rename reaches the person through the bus (company.updated → companyRename).
    const renamed = await call('PATCH', '/companies/{id}', {
      role: 'admin',
      path: `/companies/${company.body.id}`,
      body: { name: 'People & Co' },
    });
    expect(renamed.status).toBe(200);
    await suite.runtime.waitForIdle();
    const reread = await call('GET', '/customers/{id}', {
      role: 'sales',
      path: `/customers/${person.body.id}`,
    });
    expect(reread.body.company).toBe('People & Co');
  });
});

describe('custom fields end to end', () => {
  it('lets admins define fields with If-Match, and validates customers against them', async () => {
    const current = await call('GET', '/settings/custom-fields', { role: 'sales' });
    expect(current.status).toBe(200);
    const version = current.headers.get('etag') as string;
    const fields = [
      { key: 'plan', label: 'Plan', type: 'enum', options: ['free', 'pro'], required: true },
      { key: 'renewal', label: 'Renewal', type: 'date' },
    ];
    expect((await call('PUT', '/settings/custom-fields', { role: 'manager', body: { fields } })).status).toBe(
      403,
    );
    const replaced = await call('PUT', '/settings/custom-fields', {
      role: 'admin',
      body: { fields },
      headers: { 'if-match': version },
    });
    expect(replaced).toMatchObject({ status: 200, body: { fields, updatedBy: 'dev-admin' } });
    const stale = await call('PUT', '/settings/custom-fields', {
      role: 'admin',
      body: { fields: [] },
      headers: { 'if-match': version },
    });
    expect(stale.status).toBe(412);
    const invalid = await call('PUT', '/settings/custom-fields', {
      role: 'admin',
      body: { fields: [{ key: 'tier', label: 'Tier', type: 'enum' }] },
    });
    expect(invalid).toMatchObject({ status: 400, body: { errors: [{ field: 'fields.0.options' }] } });

    const missing = await call('POST', '/customers', { role: 'admin', body: { name: 'No Plan' } });
    expect(missing).toMatchObject({ status: 422, body: { errors: [{ field: 'customFields.plan' }] } });
    const wrong = await call('POST', '/customers', {
      role: 'admin',
      body: { name: 'Wrong', customFields: { plan: 'gold', renewal: '2027-13-01', colour: 'red' } },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'customFields.colour',
      'customFields.plan',
      'customFields.renewal',
    ]);
    const ok = await call('POST', '/customers', {
      role: 'admin',
      body: { name: 'Right', customFields: { plan: 'pro', renewal: '2027-01-31' } },
    });
    expect(ok).toMatchObject({ status: 201, body: { customFields: { plan: 'pro', renewal: '2027-01-31' } } });
    const patched = await call('PATCH', '/customers/{id}', {
      role: 'admin',
      path: `/customers/${ok.body.id}`,
      body: { customFields: { plan: null } },
    });
    expect(patched).toMatchObject({ status: 422, body: { errors: [{ field: 'customFields.plan' }] } });
    // Leave the workspace without required fields for the other tests of this suite.runtime.
    await call('PUT', '/settings/custom-fields', { role: 'admin', body: { fields: [] } });
  });

  it('kept every response within the OpenAPI document', () => {
    expect(suite.api.violations).toEqual([]);
  });
});
