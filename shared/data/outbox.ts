import type { DomainEvent } from '#events/catalog';
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
 *
 * Each event gets its own partition (no hot key) and expires after a week (TTL): the stream, not
 * the table, is what delivers it.
 */
const RETENTION_SECONDS = 7 * 24 * 60 * 60;

export interface OutboxItem {
  pk: string;
  sk: 'EVENT';
  type: 'outbox';
  detailType: string;
  detail: DomainEvent['detail'];
  expiresAt: number;
}

export const outboxItem = (event: DomainEvent): OutboxItem => ({
  pk: `OUTBOX#${event.detail.metadata.eventId}`,
  sk: 'EVENT',
  type: 'outbox',
  detailType: event.detailType,
  detail: event.detail,
  expiresAt: Math.floor(Date.parse(event.detail.metadata.occurredAt) / 1000) + RETENTION_SECONDS,
});

/** The transaction entry that writes an event to the outbox. */
export const outboxPut = (event: DomainEvent) => ({
  Put: { TableName: config.tableName, Item: outboxItem(event) },
});
