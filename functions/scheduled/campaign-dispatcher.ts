import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger } from '#shared/observability/logger';
import { Ulid } from '#shared/schemas/common';
import { dispatchCampaign } from '#shared/use-cases/campaign-sending';

const DispatchInput = z.strictObject({ campaignId: Ulid, scheduleId: z.string().min(1).max(40) });

/**
 * Target of a campaign's one-time schedule (EventBridge Scheduler passes the schedule's input as
 * the event): starts the campaign and queues its audience for the senders.
 */
const dispatch = async (event: unknown) => {
  const input = DispatchInput.parse(event);
  logger.appendKeys({ campaignId: input.campaignId, scheduleId: input.scheduleId });
  const outcome = await dispatchCampaign(input);
  logger.info(outcome.started ? 'Campaign queued' : 'Stale or repeated schedule: nothing to start', outcome);
  return outcome;
};

export const handler = middy(dispatch).use(injectLambdaContext(logger, { resetKeys: true }));
