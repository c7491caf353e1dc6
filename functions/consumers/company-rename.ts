import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '#events/catalog';
import { logger } from '#shared/observability/logger';
import { copyCompanyNameToPeople } from '#shared/use-cases/company-rename';

/** EventBridge target of a `company.updated` that changed the name (rule CompanyNameToPeople). */
const rename = async (event: EventBridgeEvent<'company.updated', unknown>) => {
  const { metadata, data } = parseDetail('company.updated', event.detail);
  logger.appendKeys({ correlationId: metadata.correlationId, eventId: metadata.eventId });
  const renamed = await copyCompanyNameToPeople(data.company.id, metadata.correlationId);
  logger.info('Company name copied to its people', { companyId: data.company.id, renamed });
  return { renamed };
};

export const handler = middy(rename).use(injectLambdaContext(logger, { resetKeys: true }));
