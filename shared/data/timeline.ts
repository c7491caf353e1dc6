import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import type { Interaction, TimelineEntry } from '#shared/schemas/activity';
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
 * | An interaction by id (to edit it)   | table | pk = CUSTOMER#<id>, sk = INTERACTION#<id> → its entry   |
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

/** Where an interaction's entry sits: its id alone does not give the sort key. */
const interactionPointer = (customerId: string, interactionId: string) => ({
  pk: customerKeys.partition(customerId),
  sk: `INTERACTION#${interactionId}`,
});

export const interactionPointerPut = (interaction: Interaction) => ({
  Put: {
    TableName: config.tableName,
    Item: {
      ...interactionPointer(interaction.customerId, interaction.id),
      type: 'interaction-pointer',
      occurredAt: interaction.occurredAt,
    },
  },
});

/** An interaction by id: its pointer, then its entry (two GetItems). */
export const findInteraction = async (customerId: string, interactionId: string) => {
  const { Item: pointer } = await documentClient.send(
    new GetCommand({
      TableName: config.tableName,
      Key: interactionPointer(customerId, interactionId),
      ConsistentRead: true,
    }),
  );
  if (!pointer) return undefined;
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: config.tableName,
      Key: timelineKey({ customerId, occurredAt: String(pointer.occurredAt), id: interactionId }),
      ConsistentRead: true,
    }),
  );
  return Item ? (toEntry(Item) as Interaction) : undefined;
};

/** The transaction entry that replaces an edited interaction, if no one edited it meanwhile. */
export const interactionEditPut = (previous: Interaction, next: Interaction) => ({
  Put: {
    TableName: config.tableName,
    Item: { ...timelineKey(next), type: 'timeline-interaction', entry: next },
    ConditionExpression:
      previous.revision === undefined
        ? 'attribute_exists(pk) AND attribute_not_exists(#entry.#revision)'
        : '#entry.#revision = :revision',
    ExpressionAttributeNames: { '#entry': 'entry', '#revision': 'revision' },
    ...(previous.revision === undefined
      ? {}
      : { ExpressionAttributeValues: { ':revision': previous.revision } }),
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
