import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildEvent } from '#events/catalog';
import { outboxItem } from '#shared/data/outbox';
import { publishOutbox } from '#shared/use-cases/publish-outbox';

const bus = mockClient(EventBridgeClient);

const record = (sequence: number, detail?: unknown): DynamoDBRecord => {
  const event = buildEvent(
    'customer.deleted',
    { customerId: `C${sequence}`, deletedBy: 'dev-admin' },
    { eventId: `E${sequence}`, occurredAt: '2026-11-25T10:00:00.000Z', correlationId: 'c' },
  );
  const item = detail === undefined ? outboxItem(event) : { ...outboxItem(event), detail };
  return {
    eventName: 'INSERT',
    dynamodb: { SequenceNumber: String(sequence), NewImage: marshall(item) as never },
  };
};

beforeEach(() => bus.reset());

describe('publishOutbox', () => {
  it('puts each outbox item on the bus as a typed event, ten per call', async () => {
    bus
      .on(PutEventsCommand)
      .callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const result = await publishOutbox(Array.from({ length: 12 }, (_, i) => record(i + 1)));
    expect(result.batchItemFailures).toEqual([]);
    const calls = bus.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    const entry = calls[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      Source: 'cirrus.crm',
      DetailType: 'customer.deleted',
      EventBusName: 'cirrus-crm',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
      metadata: { eventId: 'E1', version: 1 },
      data: { customerId: 'C1' },
    });
  });

  it('reports the first entry the bus refused, so Lambda retries from there', async () => {
    bus.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }, { EventId: 'c' }],
    });
    const result = await publishOutbox([record(1), record(2), record(3)]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });

  it('reports the first record of a chunk when PutEvents throws (throttling, timeout)', async () => {
    bus
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, () => ({ EventId: 'x' })) })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const result = await publishOutbox(Array.from({ length: 15 }, (_, i) => record(i + 1)));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '11' }]);
  });

  it('skips an item that does not fit the catalog instead of blocking the stream', async () => {
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
    const result = await publishOutbox([record(1, { metadata: {}, data: {} }), record(2)]);
    expect(result.batchItemFailures).toEqual([]);
    const entries = bus.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries.map((e) => JSON.parse(e.Detail ?? '{}').data.customerId)).toEqual(['C2']);
  });
});
