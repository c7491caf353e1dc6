import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import type { TimelineEntry } from '#shared/schemas/activity';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { customerKeys } from './customers.ts';

/**
 * Timeline entries (purchases, interactions, lifecycle changes; later tickets, deals, e-mails,
 * survey answers) are children in the customer's partition, sorted by when they happened, so one
 * Query reads a page of them newest first.
 *
 * | Access pattern                   | Index | Key condition                                              |
 * |----------------------------------|-------|------------------------------------------------------------|
 * | A customer's timeline, newest first | table | pk = CUSTOMER#<id>, sk begins_with TL# (descending)     |
 * | Write an entry (in a transaction)   | table | pk = CUSTOMER#<id>, sk = TL#<occurredAt>#<entry id>     |
 */
const PREFIX = 'TL#';

export const timelineKey = (entry: Pick<TimelineEntry, 'customerId' | 'occurredAt' | 'id'>) => ({
  pk: customerKeys.partition(entry.customerId),
  sk: `${PREFIX}${entry.occurredAt}#${entry.id}`,
});

/** The transaction entry that writes a timeline entry (never overwriting one). */
export const timelinePut = (entry: TimelineEntry) => ({
  Put: {
    TableName: config.tableName,
    // The entry sits in its own attribute: its fields (an interaction's `type`) must not meet ours.
    Item: { ...timelineKey(entry), type: `timeline-${entry.kind}`, entry },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

export const toEntry = (item: Record<string, unknown>): TimelineEntry => item.entry as TimelineEntry;

/** One page of a customer's timeline; `found` is false when the page is empty and so may the customer be. */
export const readTimeline = async (customerId: string, page: { limit: number; cursor?: string }) => {
  const partition = customerKeys.partition(customerId);
  const startKey = decodeCursor(page.cursor, {
    attributes: ['pk', 'sk'],
    partition: { name: 'pk', value: partition },
    sortKeyPrefix: { name: 'sk', value: PREFIX },
  });
  const result = await documentClient.send(
    new QueryCommand({
      TableName: config.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': PREFIX },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: (result.Items ?? []).map(toEntry), nextCursor: encodeCursor(result.LastEvaluatedKey) };
};
