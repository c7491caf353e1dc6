import { join } from 'node:path';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type StreamPoller, type StreamPollerOptions, startStreamPoller } from '#local/stream-poller';
import { OUTBOX_STREAM_FILTER } from '#shared/data/table-definition';
import {
  createTestTable,
  dynamodbEndpoint,
  testDocumentClient,
  testTableName,
} from '../support/local-services.ts';

const documents = testDocumentClient();
const pollers: StreamPoller[] = [];
let tables = 0;

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
});
afterAll(() => documents.destroy());

/** A fresh table per test: each has its own stream, so tests never see each other's records. */
const freshTable = () => createTestTable(`${testTableName()}-${++tables}`);

const start = async (
  tableName: string,
  options: Partial<StreamPollerOptions> & Pick<StreamPollerOptions, 'invoke'>,
) => {
  const poller = await startStreamPoller({
    endpoint: dynamodbEndpoint(),
    tableName,
    filter: OUTBOX_STREAM_FILTER,
    intervalMs: 50,
    retry: { attempts: 3, baseDelayMs: 10 },
    ...options,
  });
  pollers.push(poller);
  return poller;
};

const putOutbox = (tableName: string, id: string) =>
  documents.send(
    new PutCommand({ TableName: tableName, Item: { pk: `OUTBOX#${id}`, sk: 'OUTBOX', type: 'outbox', id } }),
  );

const ids = (batches: DynamoDBStreamEvent[]) =>
  batches.map((batch) => batch.Records.map((record) => record.dynamodb?.NewImage?.id?.S));

describe('stream poller against DynamoDB Local', () => {
  it('hands only new outbox items to the consumer, in the Lambda record shape', async () => {
    const tableName = await freshTable();
    const batches: DynamoDBStreamEvent[] = [];
    const poller = await start(tableName, {
      invoke: async (event) => {
        batches.push(event);
      },
    });
    await documents.send(
      new PutCommand({ TableName: tableName, Item: { pk: 'CUSTOMER#1', sk: 'A', type: 'customer' } }),
    );
    await putOutbox(tableName, 'e1');
    await documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'OUTBOX#e1', sk: 'OUTBOX' },
        UpdateExpression: 'SET published = :yes',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
    await poller.waitForIdle();

    expect(ids(batches)).toEqual([['e1']]);
    const record = batches[0]?.Records[0] as DynamoDBRecord;
    expect(record).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: 'us-east-1',
      eventSourceARN: expect.stringContaining(`:us-east-1:000000000000:table/${tableName}/stream/`),
      dynamodb: {
        Keys: { pk: { S: 'OUTBOX#e1' }, sk: { S: 'OUTBOX' } },
        NewImage: { pk: { S: 'OUTBOX#e1' }, sk: { S: 'OUTBOX' }, type: { S: 'outbox' }, id: { S: 'e1' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        SequenceNumber: expect.any(String),
        SizeBytes: expect.any(Number),
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    expect(typeof record.eventID).toBe('string');
  });

  it('batches at most batchSize records, in write order', async () => {
    const tableName = await freshTable();
    for (const id of ['a', 'b', 'c', 'd', 'e']) await putOutbox(tableName, id);
    const batches: DynamoDBStreamEvent[] = [];
    const poller = await start(tableName, {
      batchSize: 2,
      invoke: async (event) => {
        batches.push(event);
      },
    });
    await poller.waitForIdle();
    expect(ids(batches)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('re-delivers from the first record reported in batchItemFailures', async () => {
    const tableName = await freshTable();
    for (const id of ['a', 'b', 'c']) await putOutbox(tableName, id);
    const batches: DynamoDBStreamEvent[] = [];
    const poller = await start(tableName, {
      invoke: async (event) => {
        batches.push(event);
        if (batches.length > 1) return { batchItemFailures: [] };
        return { batchItemFailures: [{ itemIdentifier: event.Records[1]?.dynamodb?.SequenceNumber }] };
      },
    });
    await poller.waitForIdle();
    expect(ids(batches)).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(poller.discarded).toEqual([]);
  });

  it('retries a throwing consumer, then discards the batch and moves on', async () => {
    const tableName = await freshTable();
    await putOutbox(tableName, 'poison');
    const seen: string[][] = [];
    const poller = await start(tableName, {
      invoke: async (event) => {
        seen.push(ids([event])[0] as string[]);
        if (event.Records.some((record) => record.dynamodb?.NewImage?.id?.S === 'poison'))
          throw new Error('boom');
      },
    });
    await poller.waitForIdle();
    expect(seen).toEqual([['poison'], ['poison'], ['poison']]);
    expect(poller.discarded.map((batch) => ids([{ Records: batch }])[0])).toEqual([['poison']]);

    await putOutbox(tableName, 'fine');
    await poller.waitForIdle();
    expect(seen.at(-1)).toEqual(['fine']);
  });

  it('resumes after its checkpoint when restarted with a checkpoint file', async () => {
    const tableName = await freshTable();
    const checkpointFile = join(process.env.CIRRUS_HOME as string, `checkpoints-${tableName}.json`);
    const delivered: string[] = [];
    const invoke = async (event: DynamoDBStreamEvent) => {
      delivered.push(...(ids([event])[0] as string[]));
    };
    await putOutbox(tableName, 'before-restart');
    const first = await start(tableName, { checkpointFile, invoke });
    await first.waitForIdle();
    await first.stop();

    await putOutbox(tableName, 'after-restart');
    const second = await start(tableName, { checkpointFile, invoke });
    await second.waitForIdle();
    expect(delivered).toEqual(['before-restart', 'after-restart']);
  });
});
