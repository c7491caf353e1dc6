import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '#shared/observability/logger';
import { reviewLifecycles } from '#shared/use-cases/lifecycle-review';

/** Daily schedule target: moves inactive buyers to at-risk or churned (shared/use-cases/lifecycle-review.ts). */
const run = async (event: ScheduledEvent) => {
  // The schedule's own time, so a late or replayed invocation reviews the day it was meant for.
  const result = await reviewLifecycles(event.time, event.id);
  logger.info('Lifecycle review', result);
  return result;
};

export const handler = middy(run).use(injectLambdaContext(logger, { resetKeys: true }));
