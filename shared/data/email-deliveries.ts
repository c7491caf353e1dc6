import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { customerKeys } from './customers.ts';

/**
 * The permanent send ledger: one item per (customer, message kind), claimed with a condition
 * BEFORE SES is called, so that no redelivery, retry or concurrent consumer mails anyone twice.
 * It never expires (idempotency records do; this must hold for ever).
 *
 * | Access pattern                 | Index | Key condition                              |
 * |--------------------------------|-------|--------------------------------------------|
 * | Claim / settle one delivery    | table | pk = CUSTOMER#<id>, sk = EMAIL#<kind>      |
 *
 * States: sending → sent, or sending → failed (SES refused: a later delivery of the event may
 * claim it again). A consumer that dies between claim and send leaves `sending`: that message is
 * not re-sent, because we cannot know whether SES took it; at most once beats twice.
 */
const key = (customerId: string, kind: string) => ({
  pk: customerKeys.partition(customerId),
  sk: `EMAIL#${kind}`,
});

/** Returns false when the message was already claimed (sent or being sent) by someone else. */
export const claimDelivery = async (customerId: string, kind: string, eventId: string, now: string) => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...key(customerId, kind),
          type: 'email-delivery',
          kind,
          status: 'sending',
          eventId,
          claimedAt: now,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

export const settleDelivery = async (
  customerId: string,
  kind: string,
  outcome: { status: 'sent'; messageId: string } | { status: 'failed'; reason: string },
  now: string,
) => {
  await documentClient.send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: key(customerId, kind),
      UpdateExpression: 'SET #status = :status, settledAt = :now, messageId = :messageId, failure = :reason',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':now': now,
        ':messageId': outcome.status === 'sent' ? outcome.messageId : null,
        ':reason': outcome.status === 'failed' ? outcome.reason.slice(0, 500) : null,
      },
    }),
  );
};

/** A ledger item as the person it was sent to may see it (GDPR export). */
export const toDelivery = (item: Record<string, unknown>) => ({
  kind: String(item.kind),
  status: String(item.status),
  claimedAt: String(item.claimedAt),
  ...(item.settledAt ? { settledAt: String(item.settledAt) } : {}),
});
