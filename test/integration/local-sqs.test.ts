import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localClientConfig } from '#local/aws-local';
import { type LocalSqs, startLocalSqs } from '#local/sqs-queues';

type Handler = (target: string, event: SQSEvent) => Promise<unknown>;

/** Visibility timeouts and delays run at 1/1000: 30 s becomes 30 ms. */
const DELAY_SCALE = 0.001;
const deliveries: { target: string; records: SQSRecord[]; at: number }[] = [];
let handler: Handler = async () => undefined;

let sqs: LocalSqs;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startLocalSqs({
    queues: [
      {
        name: 'jobs',
        target: 'worker',
        batchSize: 10,
        maxConcurrency: 2,
        visibilityTimeoutSeconds: 30,
        maxReceiveCount: 3,
      },
      {
        name: 'small-batches',
        target: 'slowWorker',
        batchSize: 3,
        maxConcurrency: 2,
        visibilityTimeoutSeconds: 30,
        maxReceiveCount: 3,
      },
      {
        name: 'fragile',
        target: 'fragileWorker',
        batchSize: 10,
        maxConcurrency: 1,
        visibilityTimeoutSeconds: 10,
        maxReceiveCount: 2,
      },
    ],
    retry: { delayScale: DELAY_SCALE },
    invoke: async (target, event) => {
      deliveries.push({ target, records: structuredClone(event.Records), at: Date.now() });
      return handler(target, event);
    },
  });
  client = new SQSClient({ ...localClientConfig(sqs.endpoint), maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await sqs.stop();
});

beforeEach(() => {
  deliveries.length = 0;
  handler = async () => undefined;
});

const send = (queue: string, body: string, extra: Partial<SendMessageCommand['input']> = {}) =>
  client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl(queue), MessageBody: body, ...extra }));

const sendBatch = (queue: string, bodies: readonly string[]) =>
  client.send(
    new SendMessageBatchCommand({
      QueueUrl: sqs.queueUrl(queue),
      Entries: bodies.map((body, index) => ({ Id: `m${index}`, MessageBody: body })),
    }),
  );

const bodiesOf = (records: readonly SQSRecord[]) => records.map((record) => record.body).sort();

describe('local SQS with the real SQS client', () => {
  it('delivers a sent message to the target as a Lambda SQS event', async () => {
    const before = Date.now();
    const sent = await send('jobs', '{"hello":"wörld"}', {
      MessageAttributes: {
        timestamp: { DataType: 'Number', StringValue: '1493147359900' },
      },
    });
    // AWS's attribute digest for exactly this attribute (the vector moto's tests use too).
    expect(sent.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    await sqs.waitForIdle();

    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.target).toBe('worker');
    const record = deliveries[0]?.records[0];
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.any(String),
      body: '{"hello":"wörld"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        timestamp: {
          stringValue: '1493147359900',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'Number',
        },
      },
      md5OfBody: sent.MD5OfMessageBody,
      md5OfMessageAttributes: '235c5c510d26fb653d073faed50ae77c',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:jobs',
      awsRegion: 'us-east-1',
    });
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThanOrEqual(before);
  });

  it('passes binary message attributes through base64-encoded, as Lambda does', async () => {
    await send('jobs', 'with binary', {
      MessageAttributes: {
        image: { DataType: 'Binary.png', BinaryValue: Uint8Array.from([0, 1, 2, 255]) },
        kind: { DataType: 'String', StringValue: 'thumbnail' },
      },
    });
    await sqs.waitForIdle();
    expect(deliveries[0]?.records[0]?.messageAttributes).toEqual({
      image: { binaryValue: 'AAEC/w==', stringListValues: [], binaryListValues: [], dataType: 'Binary.png' },
      kind: { stringValue: 'thumbnail', stringListValues: [], binaryListValues: [], dataType: 'String' },
    });
  });

  it('accepts a batch entry by entry and delivers the accepted messages together', async () => {
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: sqs.queueUrl('jobs'),
        Entries: [
          { Id: 'first', MessageBody: 'one' },
          { Id: 'too-late', MessageBody: 'never', DelaySeconds: 901 },
          { Id: 'second', MessageBody: 'two' },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['first', 'second']);
    expect(result.Failed).toEqual([
      {
        Id: 'too-late',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message: expect.stringMatching(/DelaySeconds must be >= 0 and <= 900/),
      },
    ]);
    await sqs.waitForIdle();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.records.map((record) => record.messageId)).toEqual(
      result.Successful?.map((entry) => entry.MessageId),
    );
  });

  it('rejects batches that are empty, too long or repeat an id', async () => {
    const batch = (Entries: { Id: string; MessageBody: string }[]) =>
      client.send(new SendMessageBatchCommand({ QueueUrl: sqs.queueUrl('jobs'), Entries }));
    await expect(batch([])).rejects.toMatchObject({ name: 'EmptyBatchRequest' });
    await expect(
      batch(Array.from({ length: 11 }, (_, index) => ({ Id: `m${index}`, MessageBody: 'x' }))),
    ).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(
      batch([
        { Id: 'same', MessageBody: 'a' },
        { Id: 'same', MessageBody: 'b' },
      ]),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(batch([{ Id: 'not valid!', MessageBody: 'a' }])).rejects.toMatchObject({
      name: 'InvalidBatchEntryId',
    });
    await expect(
      batch([
        { Id: 'a', MessageBody: 'x'.repeat(200 * 1024) },
        { Id: 'b', MessageBody: 'x'.repeat(200 * 1024) },
      ]),
    ).rejects.toMatchObject({ name: 'BatchRequestTooLong' });
    expect(deliveries).toEqual([]);
  });

  it('respects the batch size and the maximum concurrency', async () => {
    let running = 0;
    let mostRunning = 0;
    handler = async () => {
      running++;
      mostRunning = Math.max(mostRunning, running);
      await sleep(20);
      running--;
    };
    const before = sqs.deliveredCount;
    await sendBatch(
      'small-batches',
      Array.from({ length: 10 }, (_, index) => `job ${index}`),
    );
    await sqs.waitForIdle();

    expect(deliveries.map((delivery) => delivery.records.length)).toEqual([3, 3, 3, 1]);
    expect(mostRunning).toBe(2);
    expect(sqs.deliveredCount - before).toBe(4);
    expect(deliveries.flatMap((delivery) => delivery.records.map((record) => record.body)).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => `job ${index}`).sort(),
    );
  });

  it('redelivers only the records reported as batch item failures, after the visibility timeout', async () => {
    handler = async (_target, event) => ({
      batchItemFailures: event.Records.filter(
        (record) => record.body === 'flaky' && record.attributes.ApproximateReceiveCount === '1',
      ).map((record) => ({ itemIdentifier: record.messageId })),
    });
    await sendBatch('jobs', ['fine', 'flaky', 'also fine']);
    await sqs.waitForIdle();

    expect(deliveries.map((delivery) => bodiesOf(delivery.records))).toEqual([
      ['also fine', 'fine', 'flaky'],
      ['flaky'],
    ]);
    const [first, second] = deliveries.map((delivery) =>
      delivery.records.find((record) => record.body === 'flaky'),
    );
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    expect(second?.attributes.ApproximateReceiveCount).toBe('2');
    expect(second?.attributes.ApproximateFirstReceiveTimestamp).toBe(
      first?.attributes.ApproximateFirstReceiveTimestamp,
    );
    // 30 s visibility timeout, scaled to 30 ms.
    expect((deliveries[1]?.at ?? 0) - (deliveries[0]?.at ?? 0)).toBeGreaterThanOrEqual(25);
  });

  it('redelivers the whole batch when the handler throws', async () => {
    let calls = 0;
    handler = async () => {
      if (++calls === 1) throw new Error('database unavailable');
    };
    await sendBatch('jobs', ['a', 'b']);
    await sqs.waitForIdle();

    const redelivered = deliveries.slice(1).flatMap((delivery) => delivery.records);
    expect(bodiesOf(deliveries[0]?.records ?? [])).toEqual(['a', 'b']);
    expect(bodiesOf(redelivered)).toEqual(['a', 'b']);
    expect(redelivered.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
  });

  it('fails the whole batch when a batch item failure names no record of the batch, as Lambda does', async () => {
    let calls = 0;
    handler = async () => (++calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } : {});
    await sendBatch('jobs', ['a', 'b']);
    await sqs.waitForIdle();
    expect(bodiesOf(deliveries.slice(1).flatMap((delivery) => delivery.records))).toEqual(['a', 'b']);
  });

  it('dead-letters a message that fails its last allowed receive', async () => {
    handler = async () => {
      throw new Error('cannot process');
    };
    const deadBefore = sqs.deadLetters.length;
    const sent = await send('fragile', 'poison');
    await sqs.waitForIdle();

    expect(deliveries).toHaveLength(2);
    expect(sqs.deadLetters.slice(deadBefore)).toEqual([
      {
        queue: 'fragile',
        message: expect.objectContaining({
          messageId: sent.MessageId,
          body: 'poison',
          attributes: expect.objectContaining({ ApproximateReceiveCount: '2' }),
        }),
        receiveCount: 2,
        error: 'Error: cannot process',
        at: expect.any(String),
      },
    ]);
  });

  it('dead-letters a record the handler keeps reporting as failed, without an error', async () => {
    handler = async (_target, event) => ({
      batchItemFailures: event.Records.filter((record) => record.body === 'bad').map((record) => ({
        itemIdentifier: record.messageId,
      })),
    });
    const deadBefore = sqs.deadLetters.length;
    await sendBatch('fragile', ['good', 'bad']);
    await sqs.waitForIdle();

    const deadLetters = sqs.deadLetters.slice(deadBefore);
    expect(deadLetters.map((letter) => [letter.message.body, letter.receiveCount])).toEqual([['bad', 2]]);
    expect(deadLetters[0]).not.toHaveProperty('error');
    expect(deliveries.map((delivery) => bodiesOf(delivery.records))).toEqual([['bad', 'good'], ['bad']]);
  });

  it('holds a message back for its DelaySeconds (scaled)', async () => {
    const sentAt = Date.now();
    await send('jobs', 'later', { DelaySeconds: 100 });
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: sqs.queueUrl('jobs'), AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesDelayed: '1',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
    });
    expect(deliveries).toEqual([]);

    await sqs.waitForIdle();
    expect(bodiesOf(deliveries[0]?.records ?? [])).toEqual(['later']);
    // 100 s scaled to 100 ms.
    expect((deliveries[0]?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(95);
  });

  it('counts messages being processed as not visible', async () => {
    let release = () => {};
    handler = () => new Promise((resolve) => (release = () => resolve(undefined)));
    await send('jobs', 'busy');
    await expect.poll(() => deliveries.length).toBe(1);
    const attributes = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: sqs.queueUrl('jobs'),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(attributes.Attributes).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    release();
    await sqs.waitForIdle();
  });

  it('waitForIdle waits for the handler to finish and resolves at once when idle', async () => {
    let finished = false;
    handler = async () => {
      await sleep(50);
      finished = true;
    };
    await send('jobs', 'slow');
    await sqs.waitForIdle();
    expect(finished).toBe(true);

    const resolved = await Promise.race([sqs.waitForIdle().then(() => 'idle'), sleep(20, 'waiting')]);
    expect(resolved).toBe('idle');
  });

  it('answers GetQueueUrl with the queue URL', async () => {
    const result = await client.send(new GetQueueUrlCommand({ QueueName: 'small-batches' }));
    expect(result.QueueUrl).toBe(`${sqs.endpoint}/000000000000/small-batches`);
    expect(result.QueueUrl).toBe(sqs.queueUrl('small-batches'));
  });

  it('reports an unknown queue as QueueDoesNotExist with the query-compatible code', async () => {
    const sending = send('no-such-queue', 'hello');
    await expect(sending).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(sending).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
  });

  it('rejects a message over 256 KiB and accepts one of exactly 256 KiB', async () => {
    await expect(send('jobs', 'x'.repeat(256 * 1024 + 1))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.',
    });
    // Attributes count against the limit too.
    await expect(
      send('jobs', 'x'.repeat(256 * 1024 - 4), {
        MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
      }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await send('jobs', 'x'.repeat(256 * 1024));
    await sqs.waitForIdle();
    expect(deliveries.map((delivery) => delivery.records[0]?.body.length)).toEqual([256 * 1024]);
  });

  it('rejects bodies and attributes SQS would reject', async () => {
    await expect(send('jobs', '')).rejects.toMatchObject({ name: 'MissingParameter' });
    await expect(send('jobs', 'bell \u0007')).rejects.toMatchObject({ name: 'InvalidMessageContents' });
    await expect(
      send('jobs', 'x', { MessageAttributes: { n: { DataType: 'Number', StringValue: 'many' } } }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      send('jobs', 'x', { MessageAttributes: { n: { DataType: 'Date', StringValue: 'today' } } }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(deliveries).toEqual([]);
  });

  it('answers operations it does not implement with UnsupportedOperation', async () => {
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('jobs') })),
    ).rejects.toMatchObject({ name: 'UnsupportedOperation' });
  });
});

describe('stopping the local SQS', () => {
  it('drops delayed messages, settles waitForIdle and closes the endpoint', async () => {
    const invoked: SQSEvent[] = [];
    const local = await startLocalSqs({
      queues: [
        {
          name: 'q',
          target: 't',
          batchSize: 1,
          maxConcurrency: 1,
          visibilityTimeoutSeconds: 1,
          maxReceiveCount: 1,
        },
      ],
      retry: { delayScale: 1 },
      invoke: async (_target, event) => {
        invoked.push(event);
      },
    });
    const localClient = new SQSClient({ ...localClientConfig(local.endpoint), maxAttempts: 1 });
    try {
      await localClient.send(
        new SendMessageCommand({
          QueueUrl: local.queueUrl('q'),
          MessageBody: 'in 15 min',
          DelaySeconds: 900,
        }),
      );
      const idle = local.waitForIdle();
      await local.stop();
      await expect(idle).resolves.toBeUndefined();
      // A fresh connection: the old client's kept-alive socket would only see a reset.
      await expect(fetch(local.endpoint, { method: 'POST' })).rejects.toMatchObject({
        cause: { code: 'ECONNREFUSED' },
      });
      expect(invoked).toEqual([]);
    } finally {
      localClient.destroy();
    }
  });
});
