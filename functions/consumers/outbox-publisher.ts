import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '#shared/observability/logger';
import { publishOutbox } from '#shared/use-cases/publish-outbox';

/** Table stream → event bus (transactional outbox). Returns partial batch failures. */
export const handler = middy((event: DynamoDBStreamEvent) => publishOutbox(event.Records)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
