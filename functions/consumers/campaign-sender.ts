import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { CampaignSendMessage } from '#shared/messaging/campaign-send-queue';
import { logger } from '#shared/observability/logger';
import { sendCampaignBatch } from '#shared/use-cases/campaign-sender';
import { queues } from '../queues.ts';

/** Thrown for a message whose recipients are not all done: SQS delivers it again. */
class RecipientsLeft extends Error {
  constructor(count: number) {
    super(`${count} recipients left for a redelivery`);
    this.name = 'RecipientsLeft';
  }
}

/**
 * Campaign send queue → one message (up to 50 recipients) mailed at this sender's share of the
 * SES rate. A message with recipients left (SES throttled past every backoff, a network error,
 * another sender mid-send) is reported as a batch item failure and redelivered; the recipients
 * already done are skipped then.
 * A malformed message fails each time and ends in the queue's dead-letter queue.
 */
const sendRecord = async (record: SQSRecord, context: Context) => {
  const message = CampaignSendMessage.parse(JSON.parse(record.body));
  logger.appendKeys({ campaignId: message.campaignId, messageId: record.messageId });
  const outcome = await sendCampaignBatch(message, {
    remainingMs: () => context.getRemainingTimeInMillis(),
    lastDelivery: Number(record.attributes.ApproximateReceiveCount) >= queues.campaignSend.maxReceiveCount,
  });
  logger.info('Campaign batch done', { ...outcome });
  const left = outcome.released + outcome.unsettled;
  if (left > 0) throw new RecipientsLeft(left);
};

/**
 * A processor per invocation: it keeps the batch's state, and the local runtime runs concurrent
 * invocations in one process (Lambda never does within a container).
 */
const sendCampaignMessages = (event: SQSEvent, context: Context) =>
  processPartialResponse(
    event,
    (record: SQSRecord) => sendRecord(record, context),
    new BatchProcessor(EventType.SQS),
    {
      context,
      throwOnFullBatchFailure: false,
    },
  );

export const handler = middy(sendCampaignMessages).use(injectLambdaContext(logger, { resetKeys: true }));
