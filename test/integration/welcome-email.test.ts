import type { EventBridgeEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEvent } from '#events/catalog';
import { handler } from '#functions/consumers/welcome-email';
import { ensureTable } from '#local/table';
import { insertCustomer } from '#shared/data/customers';
import type { Customer } from '#shared/schemas/customer';
import { lambdaContext } from '../helpers/api-event.ts';
import { mailbox } from '../support/mailbox.ts';

/** The welcome consumer against DynamoDB Local and the SES emulator: one e-mail, however often delivered. */
beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const customerCreated = (customer: Customer): EventBridgeEvent<'customer.created', unknown> => {
  const event = buildEvent(
    'customer.created',
    { customer },
    { eventId: `E-${customer.id}`, occurredAt: customer.createdAt, correlationId: 'c' },
  );
  return {
    version: '0',
    id: 'bridge-id',
    'detail-type': 'customer.created',
    source: 'cirrus.crm',
    account: '000000000000',
    time: customer.createdAt,
    region: 'us-east-1',
    resources: [],
    detail: event.detail,
  };
};

const newCustomer = (address: string, id: string): Customer => ({
  id,
  name: 'Grace Hopper',
  emails: [{ address, label: 'work' }],
  phones: [],
  tags: [],
  lifecycleStage: 'lead',
  consent: { email: { status: 'granted', source: 'signup-form', at: '2026-11-25T10:00:00.000Z' } },
  customFields: {},
  version: 1,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  createdBy: 'dev-admin',
});

/** The consumer re-reads the customer at send time, so the customer must exist in the table. */
const stored = async (customer: Customer) => {
  const event = customerCreated(customer);
  await insertCustomer(customer, { detailType: 'customer.created', detail: event.detail as never });
  return event;
};

describe('welcome e-mail consumer', () => {
  it('sends one e-mail when the same event arrives three times at once', async () => {
    const address = `grace-${Date.now()}@example.com`;
    const event = await stored(newCustomer(address, '01JDQ3Z7YB8V5X1G6N2K4M9P0A'));
    const outcomes = await Promise.all([1, 2, 3].map(() => handler(event, lambdaContext('welcomeEmail'))));
    expect(outcomes.map((o) => (o as { outcome: string }).outcome).sort()).toEqual([
      'already-sent',
      'already-sent',
      'sent',
    ]);
    const mails = await mailbox().messagesFor(address);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Welcome, Grace!');
    expect(mails[0]?.body.text).toContain('Cirrus CRM, 1 Example Street');
  });

  it('still sends one e-mail when the event is redelivered later', async () => {
    const address = `late-${Date.now()}@example.com`;
    const event = await stored(newCustomer(address, '01JDQ3Z7YB8V5X1G6N2K4M9P0B'));
    await handler(event, lambdaContext('welcomeEmail'));
    await handler(event, lambdaContext('welcomeEmail'));
    expect(await mailbox().messagesFor(address)).toHaveLength(1);
  });

  it('rejects an event that does not match the catalog (it goes to the DLQ, not to a customer)', async () => {
    const broken = {
      ...customerCreated(newCustomer('x@example.com', '01JDQ3Z7YB8V5X1G6N2K4M9P0C')),
      detail: { data: {} },
    };
    await expect(handler(broken, lambdaContext('welcomeEmail'))).rejects.toThrow();
  });
});
