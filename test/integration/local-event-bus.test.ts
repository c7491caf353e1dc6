import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localClientConfig } from '#local/aws-local';
import { type LocalEventBus, startEventBus } from '#local/event-bus';
import type { BusEvent } from '#local/put-events';

const received: { target: string; event: BusEvent }[] = [];
let failuresLeft = 0;

let bus: LocalEventBus;
let client: EventBridgeClient;

beforeAll(async () => {
  bus = await startEventBus({
    busName: 'test-bus',
    rules: [
      {
        name: 'Created',
        target: 'onCreated',
        pattern: { source: ['cirrus.crm'], 'detail-type': ['customer.created'] },
      },
      { name: 'Flaky', target: 'flaky', pattern: { 'detail-type': ['flaky.happened'] } },
      { name: 'Broken', target: 'broken', pattern: { 'detail-type': ['broken.happened'] } },
    ],
    retry: { attempts: 3, baseDelayMs: 10 },
    invoke: async (target, event) => {
      if (target === 'broken') throw new Error('target is down');
      if (target === 'flaky' && failuresLeft-- > 0) throw new Error('try again');
      received.push({ target, event });
    },
  });
  client = new EventBridgeClient({ ...localClientConfig(bus.endpoint), maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await bus.stop();
});

beforeEach(() => {
  received.length = 0;
});

const entry = (detailType: string, detail: unknown = { data: { id: '1' } }) => ({
  EventBusName: 'test-bus',
  Source: 'cirrus.crm',
  DetailType: detailType,
  Detail: JSON.stringify(detail),
});

describe('local event bus with the real EventBridge client', () => {
  it('delivers a matching event to its target as an EventBridge envelope', async () => {
    const time = new Date('2026-03-01T12:34:56.789Z');
    const result = await client.send(
      new PutEventsCommand({
        Entries: [{ ...entry('customer.created', { data: { id: 'c1' } }), Time: time }],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    const eventId = result.Entries?.[0]?.EventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    await bus.waitForIdle();
    expect(received).toEqual([
      {
        target: 'onCreated',
        event: {
          version: '0',
          id: eventId,
          'detail-type': 'customer.created',
          source: 'cirrus.crm',
          account: '000000000000',
          time: '2026-03-01T12:34:56Z',
          region: 'us-east-1',
          resources: [],
          detail: { data: { id: 'c1' } },
        },
      },
    ]);
  });

  it('does not deliver an event no rule matches', async () => {
    const before = bus.deliveryCount;
    const result = await client.send(new PutEventsCommand({ Entries: [entry('customer.deleted')] }));
    expect(result.FailedEntryCount).toBe(0);
    await bus.waitForIdle();
    expect(received).toEqual([]);
    expect(bus.deliveryCount).toBe(before);
    expect(bus.events.at(-1)?.['detail-type']).toBe('customer.deleted');
  });

  it('accepts events for the default bus but routes none of them', async () => {
    const result = await client.send(
      new PutEventsCommand({ Entries: [{ ...entry('customer.created'), EventBusName: undefined }] }),
    );
    expect(result.FailedEntryCount).toBe(0);
    await bus.waitForIdle();
    expect(received).toEqual([]);
  });

  it('retries a failing target and delivers once it recovers', async () => {
    failuresLeft = 2;
    await client.send(new PutEventsCommand({ Entries: [entry('flaky.happened')] }));
    await bus.waitForIdle();
    expect(received.map((delivery) => delivery.target)).toEqual(['flaky']);
    expect(bus.deadLetters).toEqual([]);
  });

  it('dead-letters an event after the last failed attempt', async () => {
    const result = await client.send(new PutEventsCommand({ Entries: [entry('broken.happened')] }));
    await bus.waitForIdle();
    expect(bus.deadLetters).toHaveLength(1);
    expect(bus.deadLetters[0]).toMatchObject({
      rule: 'Broken',
      target: 'broken',
      attempts: 3,
      error: 'Error: target is down',
      event: { id: result.Entries?.[0]?.EventId, 'detail-type': 'broken.happened' },
    });
  });

  it('fails bad entries one by one, as PutEvents does, and accepts the rest', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...entry('customer.created'), Source: undefined },
          { ...entry('customer.created'), DetailType: undefined },
          { ...entry('customer.created'), Detail: undefined },
          { ...entry('customer.created'), Detail: '{not json' },
          { ...entry('customer.created'), Detail: JSON.stringify({ blob: 'x'.repeat(256 * 1024) }) },
          { ...entry('customer.created'), EventBusName: 'no-such-bus' },
          entry('customer.created'),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries?.map((item) => item.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'InvalidArgument',
      'ResourceNotFoundException',
      'ok',
    ]);
    expect(result.Entries?.[0]?.ErrorMessage).toMatch(/Source is a required argument/);
    await bus.waitForIdle();
    expect(received).toHaveLength(1);
  });

  it('rejects a request without entries', async () => {
    await expect(client.send(new PutEventsCommand({ Entries: [] }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});
