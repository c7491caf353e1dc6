/**
 * The one DynamoDB table's shape: read by the CDK app (infra/) and by the local runtime (local/),
 * so DynamoDB Local gets exactly the keys, indexes, TTL and stream that AWS gets.
 *
 * Attribute names are generic (single-table design): each entity module in shared/data/ decides
 * what its items put in them, and lists its access patterns beside its keys. Indexes are created
 * up front (CloudFormation adds one GSI per update, so adding them later is slow).
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after it passes, so reads also filter on it. */
  timeToLiveAttribute: 'expiresAt',
  /** The outbox publisher needs the new image of each outbox item. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  /** Overloaded global secondary indexes, all projecting every attribute. */
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { indexName: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    { indexName: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
  ],
} as const;

export type GlobalIndexName = (typeof TABLE.globalIndexes)[number]['indexName'];

/**
 * The stream records the outbox publisher is invoked for (Lambda event-source filter in AWS,
 * the same pattern applied by the local stream poller): newly inserted outbox items only.
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { type: { S: ['outbox'] } } },
} as const;

const KEY_ATTRIBUTES = [
  TABLE.partitionKey,
  TABLE.sortKey,
  'type',
  ...TABLE.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
];

/** An item without its table and index keys and its `type`: the entity it stores. */
export const withoutKeyAttributes = <T>(item: Record<string, unknown>): T => {
  const entity = { ...item };
  for (const key of KEY_ATTRIBUTES) delete entity[key];
  return entity as T;
};
