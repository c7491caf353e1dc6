import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { customerKeys } from './customers.ts';

/**
 * Everything held in a customer's partition (profile, tags, timeline entries, e-mail ledger), for
 * the GDPR export and, later, erase.
 *
 * | Access pattern                     | Index | Key condition                          |
 * |------------------------------------|-------|----------------------------------------|
 * | Every item of a customer           | table | pk = CUSTOMER#<id>, all pages          |
 */
export const readCustomerPartition = async (customerId: string): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: config.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': customerKeys.partition(customerId) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};
