import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { catalog, EVENT_SOURCE } from '#events/catalog';
import { eventBridge } from '#shared/clients/eventbridge';
import { config } from '#shared/config';
import type { OutboxItem } from '#shared/data/outbox';
import { logger } from '#shared/observability/logger';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_BATCH = 10;

const toEntry = (record: DynamoDBRecord): PutEventsRequestEntry | undefined => {
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>) as OutboxItem;
  const definition = catalog[item.detailType as keyof typeof catalog];
  // An item that does not fit the catalog would fail every retry: log it and let the batch go on.
  if (!definition?.detail.safeParse(item.detail).success) {
    logger.error('Outbox item does not match the event catalog; not published', {
      pk: item.pk,
      detailType: item.detailType,
    });
    return undefined;
  }
  return {
    Source: EVENT_SOURCE,
    DetailType: item.detailType,
    Detail: JSON.stringify(item.detail),
    EventBusName: config.eventBusName,
    Time: new Date(item.detail.metadata.occurredAt),
  };
};

/**
 * 1. Turn each outbox INSERT record (the stream filter lets only those through) into an event.
 * 2. Put them on the bus, ten per call.
 * 3. Report the first record whose event was not accepted: Lambda retries the batch from there,
 *    so nothing is lost; events already sent may go again, and consumers are idempotent.
 */
export const publishOutbox = async (records: DynamoDBRecord[]): Promise<DynamoDBBatchResponse> => {
  const pending = records.flatMap((record) => {
    const entry = toEntry(record);
    return entry ? [{ record, entry }] : [];
  });
  for (let start = 0; start < pending.length; start += PUT_EVENTS_BATCH) {
    const chunk = pending.slice(start, start + PUT_EVENTS_BATCH);
    let failedAt = -1;
    try {
      const result = await eventBridge.send(new PutEventsCommand({ Entries: chunk.map((p) => p.entry) }));
      failedAt = (result.Entries ?? []).findIndex((entry) => entry.ErrorCode);
      if (failedAt === -1 && (result.FailedEntryCount ?? 0) > 0) failedAt = 0;
    } catch (error) {
      logger.warn('PutEvents failed', { error: error as Error });
      failedAt = 0;
    }
    if (failedAt >= 0) {
      const sequenceNumber = chunk[failedAt]?.record.dynamodb?.SequenceNumber ?? '';
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
};
