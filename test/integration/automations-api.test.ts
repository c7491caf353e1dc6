import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/table';
import { asUser } from '../helpers/customers-api.ts';

/** The automations API (birthday, anniversary configurations) on DynamoDB Local, as API Gateway calls it. */
beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const marketing = asUser('marketing');
const put = (kind: string, body: unknown, headers: Record<string, string> = {}, as = marketing) =>
  as.request('PUT /automations/{kind}', { pathParameters: { kind }, body, headers });
const get = (kind: string, as = marketing) =>
  as.request('GET /automations/{kind}', { pathParameters: { kind } });

const newTemplate = async () => {
  const created = await marketing.request('POST /templates', {
    body: { name: 'Anniversary', subject: 'Thanks', html: '<p>Thanks</p>', text: 'Thanks' },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
};

describe('automations API', () => {
  it('answers every kind, disabled at version 0 until configured', async () => {
    const list = await marketing.request('GET /automations');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { kind: 'birthday', enabled: false, templateId: null, version: 0 },
      { kind: 'anniversary', enabled: false, templateId: null, version: 0 },
    ]);
    const one = await get('anniversary');
    expect(one).toMatchObject({
      status: 200,
      headers: { ETag: '"0"' },
      body: { version: 0, enabled: false },
    });
  });

  it('configures a kind with If-Match, and refuses a stale version with 412', async () => {
    const templateId = await newTemplate();
    const first = await put('anniversary', { templateId, enabled: true }, { 'If-Match': '"0"' });
    expect(first).toMatchObject({
      status: 200,
      headers: { ETag: '"1"' },
      body: { kind: 'anniversary', templateId, enabled: true, version: 1, createdBy: 'dev-marketing' },
    });
    const stale = await put('anniversary', { templateId, enabled: false }, { 'If-Match': '"0"' });
    expect(stale.status).toBe(412);
    const manager = asUser('manager');
    const second = await put('anniversary', { templateId, enabled: false }, { 'If-Match': '"1"' }, manager);
    expect(second).toMatchObject({
      status: 200,
      headers: { ETag: '"2"' },
      body: { enabled: false, version: 2, createdBy: 'dev-marketing', updatedBy: 'dev-manager' },
    });
    // Without If-Match: the last write wins.
    expect((await put('anniversary', { templateId, enabled: true })).body).toMatchObject({ version: 3 });
    expect((await get('anniversary')).body).toMatchObject({ version: 3, enabled: true, templateId });
    expect((await get('birthday')).body.version).toBe(0);
  });

  it('names an unknown template (422), a bad kind and bad fields (400)', async () => {
    const missing = await put('birthday', { templateId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R', enabled: true });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'templateId' })]);
    expect((await get('birthday')).body.version).toBe(0);

    const badKind = await get('wedding');
    expect(badKind.status).toBe(400);
    expect(badKind.body.errors).toEqual([expect.objectContaining({ in: 'path', field: 'kind' })]);

    const templateId = await newTemplate();
    const extra = await put('birthday', { templateId, enabled: true, version: 7 });
    expect(extra.status).toBe(400);
    const noSwitch = await put('birthday', { templateId });
    expect(noSwitch.status).toBe(400);
    expect(noSwitch.body.errors).toEqual([expect.objectContaining({ field: 'enabled' })]);
  });

  it('is for admins, managers and marketing only', async () => {
    const templateId = await newTemplate();
    for (const role of ['sales', 'support'] as const) {
      const user = asUser(role);
      expect((await user.request('GET /automations')).status).toBe(403);
      expect((await get('birthday', user)).status).toBe(403);
      expect((await put('birthday', { templateId, enabled: true }, {}, user)).status).toBe(403);
    }
    expect((await asUser('admin').request('GET /automations')).status).toBe(200);
  });
});
