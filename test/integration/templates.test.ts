import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/table';
import { asUser } from '../helpers/customers-api.ts';

/** The templates API against DynamoDB Local, through the Lambda handler as API Gateway calls it. */
beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const marketing = asUser('marketing');
const admin = asUser('admin');

const sample = {
  name: 'Welcome series 1',
  subject: 'Hello {{ customer.firstName | default: "there" }}',
  html: '<p>Hi {{ customer.name }}{% if customer.company %} from {{ customer.company }}{% endif %}</p>',
  text: 'Hi {{ customer.name }}',
};

const create = (body: unknown = sample, user = marketing) => user.request('POST /templates', { body });
const get = (id: string, user = marketing) => user.request('GET /templates/{id}', { pathParameters: { id } });
const render = (id: string, body: unknown) =>
  marketing.request('POST /templates/{id}/render', { pathParameters: { id }, body });

describe('templates API', () => {
  it('creates, reads, changes with If-Match and deletes a template', async () => {
    const created = await create();
    expect(created.status).toBe(201);
    expect(created.headers.Location).toBe(`/templates/${created.body.id}`);
    expect(created.body).toMatchObject({ ...sample, version: 1, createdBy: 'dev-marketing' });
    const read = await get(created.body.id);
    expect(read.body).toEqual(created.body);
    expect(read.headers.ETag).toBe('"1"');

    const patched = await marketing.request('PATCH /templates/{id}', {
      pathParameters: { id: created.body.id },
      body: { subject: 'New {{ campaign.name }}' },
      headers: { 'If-Match': '"1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ subject: 'New {{ campaign.name }}', version: 2, html: sample.html });
    const stale = await marketing.request('PATCH /templates/{id}', {
      pathParameters: { id: created.body.id },
      body: { name: 'x' },
      headers: { 'If-Match': '"1"' },
    });
    expect(stale.status).toBe(412);

    const staleDelete = await marketing.request('DELETE /templates/{id}', {
      pathParameters: { id: created.body.id },
      headers: { 'If-Match': '"1"' },
    });
    expect(staleDelete.status).toBe(412);
    const removed = await marketing.request('DELETE /templates/{id}', {
      pathParameters: { id: created.body.id },
      headers: { 'If-Match': '"2"' },
    });
    expect(removed.status).toBe(204);
    expect((await get(created.body.id)).status).toBe(404);
  });

  it('refuses a template that does not parse, naming the field and the line', async () => {
    const result = await create({ ...sample, html: '<p>ok</p>\n\n{% for x in customer.tags %}' });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      {
        in: 'body',
        field: 'html',
        detail: expect.stringMatching(/^Template syntax error at line 3, column \d+/),
      },
    ]);
    const patch = await admin.request('PATCH /templates/{id}', {
      pathParameters: { id: (await create()).body.id },
      body: { text: '{{ customer.nickname }}' },
    });
    expect(patch.status).toBe(400);
    expect(patch.body.errors[0]).toMatchObject({
      field: 'text',
      detail: expect.stringContaining('customer.nickname'),
    });
  });

  it('bounds every field and refuses unknown ones', async () => {
    const result = await create({ ...sample, html: 'x'.repeat(60_001), version: 3 });
    expect(result.status).toBe(400);
    expect(result.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['html', 'version']);
  });

  it('lets admins, managers and marketing in; sales and support get 403', async () => {
    expect((await create(sample, asUser('manager'))).status).toBe(201);
    expect((await create(sample, asUser('sales'))).status).toBe(403);
    expect((await asUser('support').request('GET /templates')).status).toBe(403);
  });

  it('lists summaries newest first, page by page', async () => {
    const ids = [];
    for (const name of ['L1', 'L2', 'L3']) ids.push((await create({ ...sample, name })).body.id);
    const first = await marketing.request('GET /templates', { query: { limit: '2' } });
    expect(first.status).toBe(200);
    expect(first.body.items.map((t: { name: string }) => t.name)).toEqual(['L3', 'L2']);
    expect(first.body.items[0]).not.toHaveProperty('html');
    const second = await marketing.request('GET /templates', {
      query: { limit: '1', cursor: first.body.nextCursor },
    });
    expect(second.body.items[0].name).toBe('L1');
    const forged = await marketing.request('GET /templates', { query: { cursor: 'eyJwayI6IngifQ' } });
    expect(forged.status).toBe(400);
  });

  it('previews for a customer, for the survivor of a merge, and for the sample customer', async () => {
    const template = (await create()).body;
    const ada = (
      await admin.create({
        name: 'Ada <Lovelace>',
        company: 'Engines',
        emails: [{ address: `ada-${Date.now()}@example.com` }],
      })
    ).body;
    const preview = await render(template.id, { customerId: ada.id, campaignName: 'Spring' });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      subject: 'Hello Ada',
      customerId: ada.id,
      text: expect.stringContaining('Hi Ada <Lovelace>'),
    });
    expect(preview.body.html).toContain('<p>Hi Ada &lt;Lovelace&gt; from Engines</p>');
    expect(preview.body.html).toContain('/unsubscribe/preview">Unsubscribe</a>');
    expect(preview.body.text).toContain('Cirrus CRM, 1 Example Street');

    const other = (await admin.create({ name: 'Ada Twin' })).body;
    expect((await admin.merge(ada.id, other.id)).status).toBe(200);
    expect((await render(template.id, { customerId: other.id })).body.customerId).toBe(ada.id);

    expect((await render(template.id, {})).body).toMatchObject({ subject: 'Hello Ada', customerId: null });
    const missing = await render(template.id, { customerId: '01JDQ3Z7YB8V5X1G6N2K4M9P0Z' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0].field).toBe('customerId');
    expect((await render('01JDQ3Z7YB8V5X1G6N2K4M9P0Z', {})).status).toBe(404);
  });

  it('answers 503, not 500, when DynamoDB throttles', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(GetCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    try {
      const result = await get('01JDQ3Z7YB8V5X1G6N2K4M9P0Z');
      expect(result.status).toBe(503);
      expect(result.headers['retry-after']).toBe('1');
    } finally {
      ddb.restore();
    }
  });
});
