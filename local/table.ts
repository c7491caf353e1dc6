import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceInUseException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE } from '#shared/data/table-definition';
import { localClientConfig } from './aws-local.ts';

const keySchema = (partitionKey: string, sortKey: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' as const },
  { AttributeName: sortKey, KeyType: 'RANGE' as const },
];

/** Every key attribute is a string: entity modules build keys as `PREFIX#id` strings. */
const attribute = (name: string): AttributeDefinition => ({ AttributeName: name, AttributeType: 'S' });

const globalIndex = (index: (typeof TABLE.globalIndexes)[number]): GlobalSecondaryIndex => ({
  IndexName: index.indexName,
  KeySchema: keySchema(index.partitionKey, index.sortKey),
  Projection: { ProjectionType: 'ALL' },
});

const streamSpecification = { StreamEnabled: true, StreamViewType: TABLE.streamViewType } as const;

const describe = async (client: DynamoDBClient, tableName: string): Promise<TableDescription> => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table) throw new Error(`DescribeTable returned no table for ${tableName}`);
  return Table;
};

/**
 * A table persisted by an earlier `npm start` may predate a change of TABLE: add what is missing
 * (indexes, stream) the way a CloudFormation update would, and refuse what cannot be changed.
 */
const reconcile = async (
  client: DynamoDBClient,
  tableName: string,
  table: TableDescription,
): Promise<void> => {
  const keys = table.KeySchema?.map((key) => key.AttributeName).join(',');
  if (keys !== `${TABLE.partitionKey},${TABLE.sortKey}`) {
    throw new Error(
      `Table ${tableName} has keys (${keys}) but the definition says (${TABLE.partitionKey},${TABLE.sortKey}): ` +
        'delete .cirrus/dynamodb (or use --in-memory) to recreate it',
    );
  }
  const existing = new Set(table.GlobalSecondaryIndexes?.map((index) => index.IndexName));
  for (const index of TABLE.globalIndexes.filter((candidate) => !existing.has(candidate.indexName))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [attribute(index.partitionKey), attribute(index.sortKey)],
        GlobalSecondaryIndexUpdates: [{ Create: globalIndex(index) }],
      }),
    );
  }
  const stream = table.StreamSpecification;
  if (stream?.StreamEnabled && stream.StreamViewType !== TABLE.streamViewType) {
    // DynamoDB Local cannot disable a stream (InternalFailure), so the view type cannot change in place.
    throw new Error(
      `Table ${tableName} streams ${stream.StreamViewType} but the definition says ${TABLE.streamViewType}: ` +
        'delete .cirrus/dynamodb (or use --in-memory) to recreate it',
    );
  }
  if (!stream?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({ TableName: tableName, StreamSpecification: streamSpecification }),
    );
  }
};

/**
 * Creates the app's table in DynamoDB Local exactly as TABLE defines it (keys, on-demand billing,
 * every GSI projecting ALL, stream with its view type, then TTL), or brings an existing one up to
 * date. Safe to call again and from several processes at once.
 */
export const ensureTable = async (endpoint: string, tableName: string): Promise<void> => {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    const keyAttributes = [
      TABLE.partitionKey,
      TABLE.sortKey,
      ...TABLE.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [...new Set(keyAttributes)].map(attribute),
          KeySchema: keySchema(TABLE.partitionKey, TABLE.sortKey),
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: TABLE.globalIndexes.map(globalIndex),
          StreamSpecification: streamSpecification,
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await reconcile(client, tableName, await describe(client, tableName));
    }

    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    if (status !== 'ENABLED' && status !== 'ENABLING') {
      try {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
          }),
        );
      } catch (error) {
        // Another process enabled it between our describe and update.
        if (!/already enabled/i.test(String(error))) throw error;
      }
    }
  } finally {
    client.destroy();
  }
};
