import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { chunkOfItem } from '#shared/data/imports';
import { logger } from '#shared/observability/logger';
import { importChunk } from '#shared/use-cases/imports';

/**
 * Table stream (INSERT of an import chunk's progress item, IMPORT_CHUNK_STREAM_FILTER) → one chunk
 * imported. A failed chunk is reported as the batch item failure, so Lambda retries from it; the
 * rows already done are skipped on the retry.
 */
const importChunks = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const { importId, chunk } = chunkOfItem(unmarshall(image as never));
    logger.appendKeys({ importId, chunk });
    try {
      await importChunk(importId, chunk);
    } catch (error) {
      logger.error('Import chunk failed; it will be retried', { error: error as Error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
};

export const handler = middy(importChunks).use(injectLambdaContext(logger, { resetKeys: true }));
