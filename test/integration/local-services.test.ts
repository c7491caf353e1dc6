import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '#local/aws-local';
import { startSesEmulator } from '#local/ses-emulator';
import { ensureTable } from '#local/table';
import { TABLE } from '#shared/data/table-definition';
import { createTestTable, dynamodbEndpoint, sesEndpoint, testTableName } from '../support/local-services.ts';
import { mailbox } from '../support/mailbox.ts';

const dynamodb = new DynamoDBClient(localClientConfig(dynamodbEndpoint()));
afterAll(() => dynamodb.destroy());

const describeTable = async (tableName: string) =>
  (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;

describe('ensureTable', () => {
  it('creates the table exactly as TABLE defines it', async () => {
    const tableName = await createTestTable();
    const table = await describeTable(tableName);
    expect(table?.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: TABLE.streamViewType });
    const indexes = (table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema?.map((key) => key.AttributeName),
      projection: index.Projection?.ProjectionType,
    }));
    expect(indexes.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual(
      TABLE.globalIndexes.map((index) => ({
        name: index.indexName,
        keys: [index.partitionKey, index.sortKey],
        projection: 'ALL',
      })),
    );
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: TABLE.timeToLiveAttribute,
    });
  });

  it('is idempotent, also when called concurrently', async () => {
    const tableName = `${testTableName()}-concurrent`;
    await Promise.all([
      ensureTable(dynamodbEndpoint(), tableName),
      ensureTable(dynamodbEndpoint(), tableName),
    ]);
    await ensureTable(dynamodbEndpoint(), tableName);
    expect((await describeTable(tableName))?.TableStatus).toBe('ACTIVE');
  });

  it('brings an older table up to date: missing index, no stream', async () => {
    const tableName = `${testTableName()}-old`;
    const kept = TABLE.globalIndexes.slice(0, -1);
    const dropped = TABLE.globalIndexes.at(-1);
    const keys = (partition: string, sort: string) => [
      { AttributeName: partition, KeyType: 'HASH' as const },
      { AttributeName: sort, KeyType: 'RANGE' as const },
    ];
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          TABLE.partitionKey,
          TABLE.sortKey,
          ...kept.flatMap((index) => [index.partitionKey, index.sortKey]),
        ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: keys(TABLE.partitionKey, TABLE.sortKey),
        GlobalSecondaryIndexes: kept.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keys(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );

    await ensureTable(dynamodbEndpoint(), tableName);
    const table = await describeTable(tableName);
    expect(table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toContain(dropped?.indexName);
    expect(table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: TABLE.streamViewType });
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
  });

  it('refuses a table whose keys differ from the definition', async () => {
    const tableName = `${testTableName()}-keys`;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await expect(ensureTable(dynamodbEndpoint(), tableName)).rejects.toThrow(/delete \.cirrus\/dynamodb/);
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
  });
});

describe('SES emulator', () => {
  it('receives mail from the real SES client and lists it per recipient', async () => {
    const recipient = `ses-${Date.now()}@example.com`;
    const ses = new SESClient({ ...localClientConfig(sesEndpoint()) });
    await ses.send(
      new SendEmailCommand({
        Source: 'Cirrus CRM <hello@example.com>',
        Destination: { ToAddresses: [`Ada <${recipient}>`] },
        Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello there' } } },
      }),
    );
    ses.destroy();
    const [message] = await mailbox().messagesFor(recipient);
    expect(message).toMatchObject({ subject: 'Hi', body: { text: 'Hello there' } });
  });

  it('starts on a free port and stops', async () => {
    const emulator = await startSesEmulator({ port: 0 });
    expect((await fetch(`${emulator.endpoint}/store`)).status).toBe(200);
    await emulator.stop();
    await expect(fetch(`${emulator.endpoint}/store`)).rejects.toThrow();
  });

  it('says clearly when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    await expect(startSesEmulator({ port })).rejects.toThrow(`Port ${port} (SES emulator) is already in use`);
    blocker.close();
  });
});
