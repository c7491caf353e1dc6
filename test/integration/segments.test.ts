import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/table';
import { documentClient } from '#shared/clients/dynamodb';
import { countAudience, marketableAudience, marketableItemOf } from '#shared/data/marketable';
import { isSuppressed, suppress } from '#shared/data/suppressions';
import { MARKETABLE_SHARDS } from '#shared/domain/audience';
import type { SegmentRule } from '#shared/schemas/segment';
import { asUser } from '../helpers/customers-api.ts';
import { allItems } from '../helpers/table-items.ts';

/**
 * Segments, the marketable index and the suppression list on DynamoDB Local: the index follows
 * every customer write (create, update, consent, purchase, merge, erase, suppression, including
 * a race), and previews count exactly the marketable people a rule picks.
 */
const admin = asUser('admin');
const marketing = asUser('marketing');
const unique = () => Math.random().toString(36).slice(2, 10);
const granted = { email: { status: 'granted', source: 'signup-form' } };
const denied = { email: { status: 'denied', source: 'preferences' } };

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const createCustomer = async (body: Record<string, unknown>) => {
  const created = await admin.create({ name: `Person ${unique()}`, ...body });
  expect(created.status).toBe(201);
  return created.body as { id: string; version: number };
};
const inIndex = async (id: string) => (await marketableItemOf(id)) !== undefined;
const preview = async (rule: unknown) => {
  const segment = await marketing.request('POST /segments', { body: { name: `s-${unique()}`, rule } });
  expect(segment.status).toBe(201);
  const result = await asUser('support').request('POST /segments/{id}/preview', {
    pathParameters: { id: segment.body.id },
  });
  expect(result.status).toBe(200);
  return result.body as { count: number; sample: { customerId: string; email: string }[] };
};

describe('the marketable index follows the customer', () => {
  it('holds exactly the people with an address and e-mail consent granted, in step with each write', async () => {
    const tag = `t${unique()}`;
    const email = `m-${unique()}@example.com`;
    const withConsent = await createCustomer({ emails: [{ address: email }], consent: granted, tags: [tag] });
    const noConsent = await createCustomer({
      emails: [{ address: `n-${unique()}@example.com` }],
      tags: [tag],
    });
    const noAddress = await createCustomer({ consent: granted, tags: [tag] });
    expect(await inIndex(withConsent.id)).toBe(true);
    expect(await inIndex(noConsent.id)).toBe(false);
    expect(await inIndex(noAddress.id)).toBe(false);
    expect((await marketableItemOf(withConsent.id))?.view).toMatchObject({ email, tags: [tag] });

    // Withdrawn → out; granted again → in; a purchase updates the aggregates in the view.
    expect((await admin.update(withConsent.id, { consent: denied })).status).toBe(200);
    expect(await inIndex(withConsent.id)).toBe(false);
    expect((await admin.update(noConsent.id, { consent: granted })).status).toBe(200);
    expect(await inIndex(noConsent.id)).toBe(true);
    const bought = await admin.recordPurchase(noConsent.id, {
      externalOrderId: `o-${unique()}`,
      amount: 4_200,
      currency: 'EUR',
    });
    expect(bought.status).toBe(201);
    expect((await marketableItemOf(noConsent.id))?.view.purchases).toMatchObject({
      orderCount: 1,
      spent: [{ currency: 'EUR', totalSpent: 4_200 }],
    });
    expect(await preview({ field: 'tags', has: 'any', values: [tag] })).toMatchObject({ count: 1 });
    expect((await admin.remove(noConsent.id)).status).toBe(204);
    expect(await inIndex(noConsent.id)).toBe(false);
  });

  it('moves with a merge: the source leaves, the merged record is indexed', async () => {
    const tag = `t${unique()}`;
    const target = await createCustomer({
      emails: [{ address: `t-${unique()}@example.com` }],
      consent: denied,
    });
    const source = await createCustomer({
      emails: [{ address: `s-${unique()}@example.com` }],
      consent: granted,
      tags: [tag],
    });
    expect(await inIndex(source.id)).toBe(true);
    const merged = await admin.merge(target.id, source.id);
    expect(merged.status).toBe(200);
    expect(await inIndex(source.id)).toBe(false);
    // The source's later consent decision wins: the merged person is marketable, with its tag.
    expect((await marketableItemOf(target.id))?.view).toMatchObject({ id: target.id, tags: [tag] });
    const { count, sample } = await preview({ field: 'tags', has: 'all', values: [tag] });
    expect({ count, ids: sample.map((s) => s.customerId) }).toEqual({ count: 1, ids: [target.id] });
  });

  it('leaves a customer out while their primary address is suppressed, and back when lifted', async () => {
    const email = `sup-${unique()}@example.com`;
    const person = await createCustomer({ emails: [{ address: email }], consent: granted });
    const added = await marketing.request('POST /suppressions', {
      body: { email: email.toUpperCase(), reason: 'complaint' },
    });
    expect(added).toMatchObject({
      status: 201,
      body: { email, reason: 'complaint', source: 'api:dev-marketing' },
    });
    expect(await inIndex(person.id)).toBe(false);
    const again = await marketing.request('POST /suppressions', { body: { email } });
    expect(again).toMatchObject({ status: 200, body: { reason: 'complaint' } });

    // A write (consent re-granted, a new tag) does not put them back while suppressed.
    expect((await admin.update(person.id, { tags: ['back'], consent: granted })).status).toBe(200);
    expect(await inIndex(person.id)).toBe(false);
    // A new primary address that is not suppressed does.
    const other = `other-${unique()}@example.com`;
    expect((await admin.update(person.id, { emails: [{ address: other }, { address: email }] })).status).toBe(
      200,
    );
    expect((await marketableItemOf(person.id))?.email).toBe(other);
    expect((await admin.update(person.id, { emails: [{ address: email }] })).status).toBe(200);
    expect(await inIndex(person.id)).toBe(false);

    expect(
      (await asUser('sales').request('DELETE /suppressions/{email}', { pathParameters: { email } })).status,
    ).toBe(403);
    const lifted = await marketing.request('DELETE /suppressions/{email}', { pathParameters: { email } });
    expect(lifted.status).toBe(204);
    expect(await inIndex(person.id)).toBe(true);
    expect(
      (await marketing.request('DELETE /suppressions/{email}', { pathParameters: { email } })).status,
    ).toBe(404);
  });

  it('stays consistent when a suppression races an update that grants consent', async () => {
    for (let round = 0; round < 6; round++) {
      const email = `race-${unique()}@example.com`;
      const person = await createCustomer({ emails: [{ address: email }], consent: denied });
      const [update, suppression] = await Promise.all([
        admin.update(person.id, { consent: granted }),
        suppress(email, 'hard-bounce', 'ses'),
      ]);
      expect(update.status).toBe(200);
      expect(suppression.created).toBe(true);
      // Whatever committed first: suppressed, so never in the index.
      expect(await isSuppressed(email)).toBe(true);
      expect(await inIndex(person.id)).toBe(false);
    }
  });

  it('after an erase, no item holds a suppressed address, and the person stays suppressed', async () => {
    const email = `erase-${unique()}@example.com`;
    const person = await createCustomer({ emails: [{ address: email }], consent: granted });
    await suppress(email, 'hard-bounce', 'ses');
    expect((await admin.erase(person.id)).status).toBe(200);
    const mentions = (await allItems()).filter((item) => JSON.stringify(item).toLowerCase().includes(email));
    expect(mentions).toEqual([]);
    expect(await isSuppressed(email)).toBe(true);
    expect(await isSuppressed(email.toUpperCase())).toBe(true);
    const listed = await admin.request('GET /suppressions', { query: { limit: '100' } });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(email);
  });
});

describe('segment previews', () => {
  it('count exactly the marketable people a rule picks, with company conditions and a sample', async () => {
    const tag = `t${unique()}`;
    const software = await admin.createCompany({
      name: `Soft ${unique()}`,
      industry: 'software',
      size: '11-50',
    });
    const retail = await admin.createCompany({ name: `Shop ${unique()}`, industry: 'retail' });
    const people = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createCustomer({
          emails: [{ address: `p${i}-${unique()}@example.com` }],
          consent: i < 10 ? granted : denied,
          tags: i % 2 === 0 ? [tag, 'even'] : [tag],
          companyId: i % 3 === 0 ? software.body.id : retail.body.id,
          lifecycleStage: i < 4 ? 'lead' : 'customer',
        }),
      ),
    );
    const mine = { field: 'tags', has: 'any', values: [tag] };
    const all = await preview(mine);
    expect(all.count).toBe(10);
    expect(all.sample).toHaveLength(10);
    expect(new Set(all.sample.map((s) => s.customerId))).toEqual(
      new Set(people.slice(0, 10).map((p) => p.id)),
    );
    // Granted 0..9; software when i % 3 === 0 → 0, 3, 6, 9; not even → 3, 9.
    expect(
      await preview({
        and: [
          mine,
          { field: 'companyIndustry', in: ['software'] },
          { not: { field: 'tags', has: 'any', values: ['even'] } },
        ],
      }),
    ).toMatchObject({ count: 2 });
    // Leads 0..3 or size 11-50 (0, 3, 6, 9) → 0, 1, 2, 3, 6, 9.
    expect(
      await preview({
        and: [
          mine,
          {
            or: [
              { field: 'lifecycleStage', in: ['lead'] },
              { field: 'companySize', in: ['11-50'] },
            ],
          },
        ],
      }),
    ).toMatchObject({ count: 6 });
  });

  it('reads one shard at a time for a dispatcher, and every shard adds up to the whole', async () => {
    const tag = `t${unique()}`;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        createCustomer({
          emails: [{ address: `sh-${unique()}@example.com` }],
          consent: granted,
          tags: [tag],
        }),
      ),
    );
    const rule: SegmentRule = { field: 'tags', has: 'any', values: [tag] };
    let perShard = 0;
    for (let shard = 0; shard < MARKETABLE_SHARDS; shard++) {
      for await (const batch of marketableAudience(rule, { shards: [shard], pageSize: 7 })) {
        expect(batch.shard).toBe(shard);
        perShard += batch.members.length;
        for (const member of batch.members) expect(member.email).toBe(member.view.email);
      }
    }
    expect(perShard).toBe(20);
    expect((await countAudience(rule, { pageSize: 5 })).count).toBe(20);
  });
});

describe('audience build under throttling (aws-sdk-client-mock)', () => {
  const realSend = documentClient.send.bind(documentClient) as (command: unknown) => Promise<unknown>;
  let ddb: ReturnType<typeof mockClient> | undefined;
  afterEach(() => {
    ddb?.restore();
    ddb = undefined;
  });
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

  it('retries a throttled Query page from where it stood: nobody is missed or counted twice', async () => {
    const tag = `t${unique()}`;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        createCustomer({
          emails: [{ address: `th-${unique()}@example.com` }],
          consent: granted,
          tags: [tag],
        }),
      ),
    );
    ddb = mockClient(documentClient);
    ddb
      .on(QueryCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .callsFake((input) => realSend(new QueryCommand(input)));
    const { count } = await countAudience({ field: 'tags', has: 'any', values: [tag] }, { pageSize: 2 });
    expect(count).toBe(8);
    expect(ddb.commandCalls(QueryCommand).length).toBeGreaterThan(MARKETABLE_SHARDS + 2);
  });

  it('answers 503 with Retry-After when DynamoDB keeps throttling the preview', async () => {
    const created = await marketing.request('POST /segments', {
      body: { name: 'Throttled', rule: { field: 'gender', in: ['other'] } },
    });
    ddb = mockClient(documentClient);
    ddb.on(GetCommand).callsFake((input) => realSend(new GetCommand(input)));
    ddb.on(QueryCommand).rejects(throttled());
    const result = await marketing.request('POST /segments/{id}/preview', {
      pathParameters: { id: created.body.id },
    });
    expect(result).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  });
});

describe('segments API on DynamoDB Local', () => {
  it('creates, reads, lists, patches with If-Match and deletes; roles decide who manages', async () => {
    const rule = { field: 'lifecycleStage', in: ['loyal'] };
    expect((await asUser('sales').request('POST /segments', { body: { name: 'No', rule } })).status).toBe(
      403,
    );
    const created = await asUser('manager').request('POST /segments', {
      body: { name: 'Loyal', description: 'Loyal people', rule },
    });
    expect(created).toMatchObject({
      status: 201,
      headers: { ETag: '"1"', Location: `/segments/${created.body.id}` },
    });
    const id = created.body.id as string;
    const read = await asUser('support').request('GET /segments/{id}', { pathParameters: { id } });
    expect(read.body).toEqual(created.body);
    const listed = await asUser('sales').request('GET /segments', { query: { limit: '100' } });
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(id);

    const patched = await marketing.request('PATCH /segments/{id}', {
      pathParameters: { id },
      headers: { 'if-match': '"1"' },
      body: { description: null, rule: { not: rule } },
    });
    expect(patched).toMatchObject({
      status: 200,
      body: { version: 2, rule: { not: rule }, updatedBy: 'dev-marketing' },
    });
    expect(patched.body).not.toHaveProperty('description');
    const stale = await marketing.request('PATCH /segments/{id}', {
      pathParameters: { id },
      headers: { 'if-match': '"1"' },
      body: { name: 'Late' },
    });
    expect(stale.status).toBe(412);
    const unknownField = await marketing.request('PATCH /segments/{id}', {
      pathParameters: { id },
      body: { rule: { field: 'customField', key: 'nope', op: 'exists' } },
    });
    expect(unknownField).toMatchObject({ status: 422, body: { errors: [{ field: 'rule.key' }] } });
    expect((await marketing.request('DELETE /segments/{id}', { pathParameters: { id } })).status).toBe(204);
    expect((await marketing.request('GET /segments/{id}', { pathParameters: { id } })).status).toBe(404);
  });
});
