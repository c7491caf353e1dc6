import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { documentClient } from '#shared/clients/dynamodb';

/** Every item of the test's table: tests may Scan (a request path never does). */
export const allItems = async (): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({
        TableName: process.env.TABLE_NAME,
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

/** The outbox items of one detail-type, as the EventBridge events the publisher would make of them. */
export const outboxEvents = async (detailType: string): Promise<EventBridgeEvent<string, unknown>[]> =>
  (await allItems())
    .filter((item) => item.type === 'outbox' && item.detailType === detailType)
    .map((item) => ({
      version: '0',
      id: String(item.pk),
      'detail-type': detailType,
      source: 'cirrus.crm',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: item.detail,
    }));
