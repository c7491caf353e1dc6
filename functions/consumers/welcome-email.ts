import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '#events/catalog';
import { logger } from '#shared/observability/logger';
import { sendWelcomeEmail } from '#shared/use-cases/welcome-email';

/** EventBridge target of `customer.created` (rule WelcomeEmailOnCustomerCreated). */
const welcome = async (event: EventBridgeEvent<'customer.created', unknown>) => {
  const { metadata, data } = parseDetail('customer.created', event.detail);
  logger.appendKeys({ correlationId: metadata.correlationId, eventId: metadata.eventId });
  const outcome = await sendWelcomeEmail(data.customer, metadata.eventId);
  logger.info('Welcome e-mail', { customerId: data.customer.id, outcome });
  return { outcome };
};

export const handler = middy(welcome).use(injectLambdaContext(logger, { resetKeys: true }));
