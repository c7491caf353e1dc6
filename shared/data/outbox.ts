import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type DomainEvent, personalDataOf } from '#events/catalog';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';

/**
 * Outbox items: each domain write puts its event in the same transaction as the data, and the
 * table's stream hands the item to the outbox publisher. No event is lost when a handler dies,
 * and none is sent for a write that failed.
 *
 * | Access pattern                  | Index  | Key condition                              |
 * |---------------------------------|--------|--------------------------------------------|
 * | Write an event (in a transaction)| table | pk = OUTBOX#<eventId>, sk = EVENT          |
 * | Read events                      | stream | INSERT of items with type = outbox         |
 * | Events carrying a person's data  | gsi1   | gsi1pk = OUTBOX#PERSON#<customerId>        |
 *
 * Each event gets its own partition (no hot key) and expires after a week (TTL): the stream, not
 * the table, is what delivers it. Events that carry a customer's personal data are indexed by that
 * customer so that a GDPR erase can delete them before they expire.
 */
const RETENTION_SECONDS = 7 * 24 * 60 * 60;

export interface OutboxItem {
  pk: string;
  sk: 'EVENT';
  type: 'outbox';
  detailType: string;
  detail: DomainEvent['detail'];
  expiresAt: number;
  gsi1pk?: string;
  gsi1sk?: string;
}

const byPerson = (customerId: string) => `OUTBOX#PERSON#${customerId}`;

export const outboxItem = (event: DomainEvent): OutboxItem => {
  const person = personalDataOf(event);
  return {
    pk: `OUTBOX#${event.detail.metadata.eventId}`,
    sk: 'EVENT',
    type: 'outbox',
    detailType: event.detailType,
    detail: event.detail,
    expiresAt: Math.floor(Date.parse(event.detail.metadata.occurredAt) / 1000) + RETENTION_SECONDS,
    ...(person ? { gsi1pk: byPerson(person), gsi1sk: event.detail.metadata.eventId } : {}),
  };
};

/** The transaction entry that writes an event to the outbox. */
export const outboxPut = (event: DomainEvent) => ({
  Put: { TableName: config.tableName, Item: outboxItem(event) },
});

/** Keys of the outbox items that carry a customer's personal data (an index read: may lag a write by a moment). */
export const outboxKeysAbout = async (customerId: string): Promise<{ pk: string; sk: string }[]> => {
  const keys: { pk: string; sk: string }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: config.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': byPerson(customerId) },
        ProjectionExpression: 'pk, sk',
        ExclusiveStartKey: startKey,
      }),
    );
    keys.push(...((page.Items ?? []) as { pk: string; sk: string }[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return keys;
};
