import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '#events/catalog';
import { logger } from '#shared/observability/logger';
import { attributePurchase, countCampaignUnsubscribe } from '#shared/use-cases/campaign-outcomes';

type OutcomeEvent = EventBridgeEvent<'purchase.recorded' | 'customer.unsubscribed', unknown>;

/**
 * Target of `purchase.recorded` (rule CampaignConversionOnPurchase: attributes it to the campaign
 * last clicked, within the window) and of `customer.unsubscribed` with a campaign (rule
 * CampaignUnsubscribeCount: counts it in the campaign's results).
 */
const onOutcome = async (event: OutcomeEvent) => {
  if (event['detail-type'] === 'purchase.recorded') {
    const { metadata, data } = parseDetail('purchase.recorded', event.detail);
    logger.appendKeys({ correlationId: metadata.correlationId, eventId: metadata.eventId });
    const outcome = await attributePurchase(data.purchase);
    logger.info('Purchase attribution', { purchaseId: data.purchase.id, outcome });
    return { outcome };
  }
  const { metadata, data } = parseDetail('customer.unsubscribed', event.detail);
  logger.appendKeys({ correlationId: metadata.correlationId, eventId: metadata.eventId });
  const counted = await countCampaignUnsubscribe(data.entry);
  logger.info('Campaign unsubscribe', { campaignId: data.entry.campaignId, counted });
  return { counted };
};

export const handler = middy(onOutcome).use(injectLambdaContext(logger, { resetKeys: true }));
