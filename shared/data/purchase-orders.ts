import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import type { Purchase } from '#shared/schemas/activity';
import { timelineKey, toEntry } from './timeline.ts';

/**
 * One guard item per external order id, written in the purchase's transaction, so the same order
 * recorded twice (a retried import, a webhook delivered again) is one purchase.
 *
 * | Access pattern                          | Index | Key condition                                   |
 * |-----------------------------------------|-------|-------------------------------------------------|
 * | The purchase recorded for an order id   | table | pk = PURCHASE_ORDER#<externalOrderId>, sk = GUARD, then the entry |
 */
const guardKey = (externalOrderId: string) => ({ pk: `PURCHASE_ORDER#${externalOrderId}`, sk: 'GUARD' });

export const orderGuardPut = (purchase: Purchase & { externalOrderId: string }) => ({
  Put: {
    TableName: config.tableName,
    Item: {
      ...guardKey(purchase.externalOrderId),
      type: 'purchase-order-guard',
      customerId: purchase.customerId,
      purchaseId: purchase.id,
      occurredAt: purchase.occurredAt,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

export const findPurchaseByOrderId = async (externalOrderId: string): Promise<Purchase | undefined> => {
  const { Item: guard } = await documentClient.send(
    new GetCommand({ TableName: config.tableName, Key: guardKey(externalOrderId), ConsistentRead: true }),
  );
  if (!guard) return undefined;
  const key = timelineKey({
    customerId: guard.customerId,
    occurredAt: guard.occurredAt,
    id: guard.purchaseId,
  });
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: config.tableName, Key: key, ConsistentRead: true }),
  );
  return Item ? (toEntry(Item) as Purchase) : undefined;
};

/** The transaction entry that hands an order's guard to the customer a purchase was merged into. */
export const orderGuardHandOver = (externalOrderId: string, from: string, to: string) => ({
  Update: {
    TableName: config.tableName,
    Key: guardKey(externalOrderId),
    UpdateExpression: 'SET customerId = :to',
    ConditionExpression: 'customerId = :from',
    ExpressionAttributeValues: { ':from': from, ':to': to },
  },
});

/** Deletes an order's guard if it still belongs to `customerId` (GDPR erase). */
export const deleteOrderGuard = async (externalOrderId: string, customerId: string): Promise<void> => {
  try {
    await documentClient.send(
      new DeleteCommand({
        TableName: config.tableName,
        Key: guardKey(externalOrderId),
        ConditionExpression: 'customerId = :id',
        ExpressionAttributeValues: { ':id': customerId },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};
