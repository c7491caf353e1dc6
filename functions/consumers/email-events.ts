import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { SesEventDetail } from '#events/ses-events';
import { logger } from '#shared/observability/logger';
import { trackEmailEvent } from '#shared/use-cases/email-tracking';

/**
 * Target of SES's sending events on the default bus (rule EmailEventsFromSes): deliveries, bounces,
 * complaints, opens and clicks of the e-mails we send through the configuration set. A detail that
 * does not parse throws: EventBridge retries, then the rule's DLQ keeps it.
 */
const onEmailEvent = async (event: EventBridgeEvent<string, unknown>) => {
  const detail = SesEventDetail.parse(event.detail);
  logger.appendKeys({ eventId: event.id, messageId: detail.mail.messageId });
  const outcome = await trackEmailEvent(event['detail-type'], detail);
  if (outcome.outcome === 'ignored') logger.info('SES event ignored', { reason: outcome.reason });
  else logger.info('SES event', { ...outcome });
  return outcome;
};

export const handler = middy(onEmailEvent).use(injectLambdaContext(logger, { resetKeys: true }));
