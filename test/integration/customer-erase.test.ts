import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as cleanup } from '#functions/consumers/customer-cleanup';
import { ensureTable } from '#local/table';
import { documentClient } from '#shared/clients/dynamodb';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';
import { allItems, outboxEvents } from '../helpers/table-items.ts';

/** GDPR erase on DynamoDB Local: afterwards no item in the whole table holds the person's data. */
const admin = asUser('admin');
const unique = () => Math.random().toString(36).slice(2, 10);
const randomPhone = () => `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
const note = { type: 'call', channel: 'phone', direction: 'inbound' } as const;

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});
afterEach(() => vi.restoreAllMocks());

/** Every item (in any attribute, at any depth) that mentions one of `needles`. */
const itemsMentioning = async (...needles: string[]) =>
  (await allItems()).filter((item) => {
    const text = JSON.stringify(item).toLowerCase();
    return needles.some((needle) => text.includes(needle.toLowerCase()));
  });

/** A person with everything a customer can have: guards, tags, purchases, interactions, a merged twin. */
const seedPerson = async () => {
  const tag = unique();
  const person = {
    name: `Grace Hopper ${tag}`,
    email: `grace-${tag}@example.com`,
    twinEmail: `g.hopper-${tag}@example.org`,
    phone: randomPhone(),
  };
  const created = await admin.create(
    {
      name: person.name,
      emails: [{ address: person.email }],
      phones: [{ number: person.phone }],
      tags: ['vip', `t-${tag}`],
      consent: { email: { status: 'granted', source: 'signup-form' } },
    },
    { 'Idempotency-Key': `create-${tag}` },
  );
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const twin = (await admin.create({ name: person.name, emails: [{ address: person.twinEmail }] })).body;
  await admin.logInteraction(twin.id, { ...note, summary: `Twin called: ${person.name}` });
  expect((await admin.merge(id, twin.id)).status).toBe(200);
  await admin.recordPurchase(id, { amount: 1200, currency: 'EUR', externalOrderId: `ORD-${tag}` });
  await admin.logInteraction(id, { ...note, summary: `Spoke with ${person.name} on ${person.phone}` });
  await admin.update(id, { title: 'Rear Admiral', lifecycleStage: 'loyal' });
  return { ...person, id, twinId: twin.id as string, tag };
};

describe('POST /customers/{id}/erase', () => {
  it('leaves no item holding the e-mail, phone or name, and answers 404 from then on', async () => {
    const person = await seedPerson();
    const bystander = (
      await admin.create({ name: 'Bystander', emails: [{ address: `by-${person.tag}@example.com` }] })
    ).body;
    expect((await itemsMentioning(person.email, person.phone, person.name)).length).toBeGreaterThan(5);

    const erased = await admin.erase(person.id);
    expect(erased).toMatchObject({ status: 200, body: { customerId: person.id, erasedBy: 'dev-admin' } });

    expect(await itemsMentioning(person.email, person.twinEmail, person.phone, person.name)).toEqual([]);
    expect((await admin.get(person.id)).status).toBe(404);
    expect((await admin.get(person.twinId)).status).toBe(404);
    expect((await admin.get(bystander.id)).status).toBe(200);
    // The tombstones are all that is left, and they name no one.
    const left = (await allItems()).filter((item) =>
      [`CUSTOMER#${person.id}`, `CUSTOMER#${person.twinId}`].includes(String(item.pk)),
    );
    expect(left.map((item) => [item.sk, item.fate])).toEqual([
      ['TOMBSTONE', 'erased'],
      ['TOMBSTONE', 'erased'],
    ]);
    // The order id, e-mail and phone are free again; a replayed create does not resurrect anyone.
    const reordered = await admin.create({
      name: 'New',
      emails: [{ address: person.email }],
      phones: [{ number: person.phone }],
    });
    expect(reordered.status).toBe(201);
    const replay = await admin.create(
      {
        name: person.name,
        emails: [{ address: person.email }],
        phones: [{ number: person.phone }],
        tags: ['vip', `t-${person.tag}`],
        consent: { email: { status: 'granted', source: 'signup-form' } },
      },
      { 'Idempotency-Key': `create-${person.tag}` },
    );
    expect(replay.status).toBe(404);

    // Erasing again is harmless and gives the same receipt; the event names ids only.
    expect(await admin.erase(person.id)).toEqual(erased);
    const events = (await outboxEvents('customer.erased')).filter(
      (e) => (e.detail as { data: { customerId: string } }).data.customerId === person.id,
    );
    expect(events).toHaveLength(1);
  });

  it('erases what a plain delete left behind', async () => {
    const tag = unique();
    const name = `Deleted Person ${tag}`;
    const customer = (await admin.create({ name })).body;
    await admin.logInteraction(customer.id, { ...note, summary: `Met ${name}` });
    expect((await admin.remove(customer.id)).status).toBe(204);
    expect((await itemsMentioning(name)).length).toBeGreaterThan(0);
    expect((await admin.erase(customer.id)).status).toBe(200);
    expect(await itemsMentioning(name)).toEqual([]);
    expect((await admin.erase('01JDQ3Z7YB8V5X1G6N2K4M9P0R')).status).toBe(404);
  });

  it('is finished by the customer.erased event when the request died midway', async () => {
    const person = await seedPerson();
    const send = documentClient.send.bind(documentClient);
    vi.spyOn(documentClient, 'send').mockImplementation(((command: unknown) =>
      command instanceof BatchWriteCommand
        ? Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
        : send(command as never)) as never);
    expect((await admin.erase(person.id)).status).toBe(503);
    vi.restoreAllMocks();
    expect((await itemsMentioning(person.name)).length).toBeGreaterThan(0);

    const [event] = (await outboxEvents('customer.erased')).filter(
      (e) => (e.detail as { data: { customerId: string } }).data.customerId === person.id,
    );
    await cleanup(event as never, lambdaContext('customerCleanup'));
    expect(await itemsMentioning(person.email, person.twinEmail, person.phone, person.name)).toEqual([]);
  });

  it('is for admins and managers only; a merged id erases the person it was merged into', async () => {
    const customer = (await admin.create({ name: 'Protected' })).body;
    for (const role of ['sales', 'marketing', 'support'] as const) {
      expect((await asUser(role).erase(customer.id)).status).toBe(403);
    }
    const twin = (await admin.create({ name: 'Protected twin' })).body;
    await admin.merge(customer.id, twin.id);
    expect(await asUser('manager').erase(twin.id)).toMatchObject({
      status: 308,
      headers: { Location: `/customers/${customer.id}/erase` },
    });
  });
});
