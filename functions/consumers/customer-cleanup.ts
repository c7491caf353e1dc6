import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '#events/catalog';
import { logger } from '#shared/observability/logger';
import { finishErasure } from '#shared/use-cases/erasure';
import { finishMerge } from '#shared/use-cases/merge';

type CleanupEvent = EventBridgeEvent<'customer.merged' | 'customer.erased', unknown>;

/**
 * EventBridge target of `customer.merged` and `customer.erased` (rule CustomerCleanup): runs the
 * multi-step part of a merge (moving children) or an erase (purging items) once more. The API
 * request did it already unless it died midway; both steps are idempotent, so running them twice
 * costs a read. A failure throws: EventBridge retries, then the rule's DLQ keeps the event.
 */
const cleanup = async (event: CleanupEvent) => {
  if (event['detail-type'] === 'customer.merged') {
    const { metadata, data } = parseDetail('customer.merged', event.detail);
    logger.appendKeys({ correlationId: metadata.correlationId, eventId: metadata.eventId });
    const moved = await finishMerge(data.mergedId, data.customer.id);
    logger.info('Merge finished', { customerId: data.customer.id, mergedId: data.mergedId, moved });
    return { moved };
  }
  const { metadata, data } = parseDetail('customer.erased', event.detail);
  logger.appendKeys({ correlationId: metadata.correlationId, eventId: metadata.eventId });
  await finishErasure(data.customerId);
  logger.info('Erase finished', { customerId: data.customerId });
  return { erased: data.customerId };
};

export const handler = middy(cleanup).use(injectLambdaContext(logger, { resetKeys: true }));
