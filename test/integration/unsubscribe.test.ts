import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildEvent } from '#events/catalog';
import { handler as welcomeHandler } from '#functions/consumers/welcome-email';
import { ensureTable } from '#local/table';
import { documentClient } from '#shared/clients/dynamodb';
import { forgetSigningKeys, signingKey } from '#shared/data/signing-keys';
import { unsubscribeTokenFor } from '#shared/use-cases/unsubscribe';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';
import { allItems, outboxEvents } from '../helpers/table-items.ts';
import { mailbox } from '../support/mailbox.ts';

/** Unsubscribe links against DynamoDB Local: the public routes, as API Gateway calls them (no JWT). */
beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const admin = asUser('admin');
const campaignId = '01JDQ60000000000000000CA01';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A public call: no authorizer context at all, as API Gateway sends for auth 'none' routes. */
const publicCall = (
  method: 'GET' | 'POST',
  code: string,
  body?: string,
  headers: Record<string, string> = FORM,
) =>
  admin.request(`${method} /unsubscribe/{code}`, {
    pathParameters: { code },
    body,
    headers,
    claims: null,
  } as never);

const consenting = async (name = 'Uma Unsub') => {
  const address = `${name.split(' ')[0]?.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@example.com`;
  const created = await admin.create({
    name,
    emails: [{ address }],
    consent: { email: { status: 'granted', source: 'signup-form' } },
  });
  expect(created.status).toBe(201);
  return { ...created.body, address };
};

const unsubscribeEvents = async (customerId: string) =>
  (await outboxEvents('customer.unsubscribed')).filter(
    (e) => (e.detail as { data: { entry: { customerId: string } } }).data.entry.customerId === customerId,
  );

describe('unsubscribe links', () => {
  it('GET shows a confirmation page and changes nothing', async () => {
    const customer = await consenting();
    const code = await unsubscribeTokenFor({ customerId: customer.id, campaignId });
    const page = await publicCall('GET', code);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html');
    expect(page.headers['Cache-Control']).toBe('no-store');
    expect(page.body).toContain('<form method="post">');
    expect(page.body).not.toContain(customer.address);
    expect((await admin.get(customer.id)).body).toMatchObject({
      version: 1,
      consent: { email: { status: 'granted' } },
    });
  });

  it('one-click POST withdraws consent, records it on the timeline and publishes customer.unsubscribed, once', async () => {
    const customer = await consenting();
    const code = await unsubscribeTokenFor({ customerId: customer.id, campaignId });
    const done = await publicCall('POST', code, 'List-Unsubscribe=One-Click');
    expect(done.status).toBe(200);
    expect(done.body).toContain('You are unsubscribed');
    const after = (await admin.get(customer.id)).body;
    expect(after.version).toBe(2);
    expect(after.consent.email).toEqual({ status: 'denied', source: 'one-click', at: expect.any(String) });
    const timeline = (await admin.timeline(customer.id)).body.items;
    expect(timeline[0]).toMatchObject({
      kind: 'unsubscribe',
      customerId: customer.id,
      channel: 'email',
      source: 'one-click',
      messageKind: 'campaign',
      campaignId,
    });
    expect(await unsubscribeEvents(customer.id)).toHaveLength(1);
    expect(
      (await outboxEvents('customer.updated')).some((e) => JSON.stringify(e.detail).includes(customer.id)),
    ).toBe(true);

    // A second click (or the page's button afterwards): same page, nothing written.
    expect((await publicCall('POST', code, 'confirm=page')).status).toBe(200);
    expect((await publicCall('POST', code)).status).toBe(200);
    expect((await admin.get(customer.id)).body.version).toBe(2);
    expect(await unsubscribeEvents(customer.id)).toHaveLength(1);
  });

  it("records the confirmation page's button as its own source, and a welcome link as messageKind welcome", async () => {
    const customer = await consenting();
    const code = await unsubscribeTokenFor({ customerId: customer.id, kind: 'welcome' });
    expect((await publicCall('POST', code, 'confirm=page')).status).toBe(200);
    expect((await admin.get(customer.id)).body.consent.email.source).toBe('unsubscribe-page');
    const [event] = await unsubscribeEvents(customer.id);
    const entry = (event?.detail as { data: { entry: object } } | undefined)?.data.entry;
    expect(entry).toMatchObject({
      source: 'unsubscribe-page',
      messageKind: 'welcome',
    });
    expect(entry).not.toHaveProperty('campaignId');
  });

  it('follows a merged id to the survivor; an erased person gets the same page and nothing happens', async () => {
    const survivor = await consenting('Sam Survivor');
    const merged = await consenting('Mo Merged');
    const code = await unsubscribeTokenFor({ customerId: merged.id, campaignId });
    expect((await admin.merge(survivor.id, merged.id)).status).toBe(200);
    expect((await publicCall('POST', code)).status).toBe(200);
    expect((await admin.get(survivor.id)).body.consent.email.status).toBe('denied');

    const erased = await consenting('Eve Erased');
    const erasedCode = await unsubscribeTokenFor({ customerId: erased.id, campaignId });
    expect((await admin.erase(erased.id)).status).toBe(200);
    const page = await publicCall('POST', erasedCode);
    expect(page.status).toBe(200);
    expect(page.body).toContain('You are unsubscribed');
    expect(await unsubscribeEvents(erased.id)).toHaveLength(0);
    expect((await publicCall('GET', erasedCode)).status).toBe(200);
  });

  it('answers 404 to a forged or altered link and 400 to a malformed one, never 500', async () => {
    const customer = await consenting();
    const code = await unsubscribeTokenFor({ customerId: customer.id, campaignId });
    const [payload, mac = ''] = code.split('.');
    const altered = `${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    for (const method of ['GET', 'POST'] as const) {
      const forged = await publicCall(method, altered);
      expect(forged.status).toBe(404);
      expect(forged.headers['content-type']).toBe('application/problem+json');
      const malformed = await publicCall(method, 'abc');
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0]).toMatchObject({ in: 'path', field: 'code' });
    }
    const badBody = await publicCall('POST', code, 'email=someone@example.com');
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors[0].field).toBe('email');
    expect((await publicCall('POST', code, '{"x":1}', { 'content-type': 'application/json' })).status).toBe(
      415,
    );
    expect((await admin.get(customer.id)).body.consent.email.status).toBe('granted');
  });

  it('agrees on one signing key however many containers create it at once', async () => {
    const items = async () => (await allItems()).filter((item) => item.type === 'signing-key');
    forgetSigningKeys();
    const keys = await Promise.all(
      [1, 2, 3].map(async () => {
        forgetSigningKeys();
        return (await signingKey('unsubscribe')).toString('hex');
      }),
    );
    expect(new Set(keys).size).toBe(1);
    expect(await items()).toHaveLength(1);
  });

  it('answers 503, not 500, when the consent write is throttled (and withdraws nothing)', async () => {
    const customer = await consenting();
    const code = await unsubscribeTokenFor({ customerId: customer.id, campaignId });
    // Only the transaction fails; every read still reaches DynamoDB Local.
    const send = documentClient.send.bind(documentClient);
    const spy = vi
      .spyOn(documentClient, 'send')
      .mockImplementation(((command: unknown) =>
        command instanceof TransactWriteCommand
          ? Promise.reject(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
          : send(command as never)) as never);
    try {
      const result = await publicCall('POST', code);
      expect(result.status).toBe(503);
      expect(result.headers['retry-after']).toBe('1');
    } finally {
      spy.mockRestore();
    }
    expect((await admin.get(customer.id)).body.consent.email.status).toBe('granted');
  });
});

describe('every later send honours it', () => {
  it('a redelivered welcome event after an unsubscribe sends nothing', async () => {
    const customer = await consenting('Wendy Welcome');
    const stored = (await admin.get(customer.id)).body;
    const code = await unsubscribeTokenFor({ customerId: customer.id, kind: 'welcome' });
    expect((await publicCall('POST', code)).status).toBe(200);
    // The event still carries the snapshot from before, with consent granted.
    const event = buildEvent(
      'customer.created',
      { customer: stored },
      {
        eventId: `E-${customer.id}`,
        occurredAt: stored.createdAt,
        correlationId: 'c',
      },
    );
    const delivery: EventBridgeEvent<'customer.created', unknown> = {
      version: '0',
      id: 'bridge-id',
      'detail-type': 'customer.created',
      source: 'cirrus.crm',
      account: '000000000000',
      time: stored.createdAt,
      region: 'us-east-1',
      resources: [],
      detail: event.detail,
    };
    const result = await welcomeHandler(delivery, lambdaContext('welcomeEmail'));
    expect(result).toEqual({ outcome: 'no-consent' });
    expect(await mailbox().messagesFor(customer.address)).toHaveLength(0);
  });
});
