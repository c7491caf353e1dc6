import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '#functions/consumers/import-worker';

/** The worker's failure paths with a mocked DynamoDB: a chunk that cannot be written is retried, never half-counted. */
const dynamodb = mockClient(DynamoDBDocumentClient);

const streamEvent: DynamoDBStreamEvent = {
  Records: [
    {
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: '42',
        NewImage: marshall({
          type: 'import-chunk',
          importId: '01JDQ3Z7YB8V5X1G6N2K4IMP01',
          chunk: 1,
        }) as never,
      },
    },
  ],
};

const arrangeChunk = () => {
  dynamodb.on(GetCommand).callsFake((input) =>
    input.Key.sk === 'JOB'
      ? {
          Item: {
            id: '01JDQ3Z7YB8V5X1G6N2K4IMP01',
            createdBy: 'dev-admin',
            roles: ['admin'],
            createdAt: '2026-11-25T10:00:00.000Z',
            chunkCount: 1,
            chunksDone: 0,
            total: 1,
          },
        }
      : input.Key.sk === 'ROWS'
        ? { Item: { rows: JSON.stringify([{ row: 1, request: { name: 'Ada' } }]) } }
        : {},
  );
  dynamodb.on(UpdateCommand).resolves({});
  dynamodb.on(QueryCommand).resolves({ Items: [] });
};

beforeEach(() => dynamodb.reset());

const invoke = () => handler(streamEvent, {} as Context);

describe('import worker failure paths', () => {
  it('reports the chunk as the batch item failure when DynamoDB throttles the row write', async () => {
    arrangeChunk();
    dynamodb
      .on(TransactWriteCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    expect(await invoke()).toEqual({ batchItemFailures: [{ itemIdentifier: '42' }] });
    // The chunk was not closed: no transaction closing it got through.
    const closing = dynamodb
      .commandCalls(TransactWriteCommand)
      .filter((call) => JSON.stringify(call.args[0].input).includes('chunksDone'));
    expect(closing).toHaveLength(0);
  });

  it('retries a row whose transaction was cancelled by a conflicting transaction, then closes the chunk', async () => {
    arrangeChunk();
    let calls = 0;
    dynamodb.on(TransactWriteCommand).callsFake(() => {
      calls++;
      if (calls === 1) {
        throw Object.assign(new Error('cancelled'), {
          name: 'TransactionCanceledException',
          CancellationReasons: [{ Code: 'TransactionConflict' }],
        });
      }
      return {};
    });
    expect(await invoke()).toEqual({ batchItemFailures: [] });
    const writes = dynamodb
      .commandCalls(TransactWriteCommand)
      .map((call) => JSON.stringify(call.args[0].input));
    expect(writes.filter((w) => w.includes('"type":"customer"'))).toHaveLength(2);
    expect(writes.some((w) => w.includes('chunksDone'))).toBe(true);
  });
});
