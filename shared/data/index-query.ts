import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { decodeCursor, encodeCursor } from './cursor.ts';

/** A named access pattern on one of the generic indexes (see table-definition.ts). */
export interface IndexPattern {
  name: string;
  pk: string;
  sk: string;
}

/**
 * One page of an index partition (optionally only sort keys with a prefix), newest first unless
 * `ascending`; the cursor is checked against the same index, partition and prefix before use.
 */
export const queryIndexPage = async (
  index: IndexPattern,
  partition: string,
  page: { limit: number; cursor?: string },
  order: { ascending?: boolean; sortKeyPrefix?: string } = {},
) => {
  const prefix = order.sortKeyPrefix;
  const startKey = decodeCursor(page.cursor, {
    attributes: ['pk', 'sk', index.pk, index.sk],
    partition: { name: index.pk, value: partition },
    ...(prefix !== undefined ? { sortKeyPrefix: { name: index.sk, value: prefix } } : {}),
  });
  const result = await documentClient.send(
    new QueryCommand({
      TableName: config.tableName,
      IndexName: index.name,
      KeyConditionExpression: prefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': index.pk, ...(prefix !== undefined ? { '#sk': index.sk } : {}) },
      ExpressionAttributeValues: { ':pk': partition, ...(prefix !== undefined ? { ':prefix': prefix } : {}) },
      ScanIndexForward: order.ascending ?? false,
      Limit: page.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: result.Items ?? [], nextCursor: encodeCursor(result.LastEvaluatedKey) };
};
