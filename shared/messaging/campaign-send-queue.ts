import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { sqs } from '#shared/clients/sqs';
import { config } from '#shared/config';
import { Ulid } from '#shared/schemas/common';

/**
 * The campaign send queue's messages: a campaign and up to RECIPIENTS_PER_MESSAGE customer ids.
 * Ids only: the sender reads each person as they are at send time (consent may have changed).
 */
export const RECIPIENTS_PER_MESSAGE = 50;

export const CampaignSendMessage = z.strictObject({
  campaignId: Ulid,
  recipients: z.array(Ulid).min(1).max(RECIPIENTS_PER_MESSAGE),
});
export type CampaignSendMessage = z.infer<typeof CampaignSendMessage>;

const ENTRIES_PER_CALL = 10;
const ATTEMPTS = 5;

/**
 * Queues recipients in messages of up to 50, ten messages per SendMessageBatch call; entries SQS
 * did not take are sent again (bounded), then the call fails so the dispatcher is retried (a
 * recipient queued twice is still mailed once: the send record decides).
 */
export const enqueueRecipients = async (
  campaignId: string,
  customerIds: readonly string[],
): Promise<void> => {
  const messages: CampaignSendMessage[] = [];
  for (let start = 0; start < customerIds.length; start += RECIPIENTS_PER_MESSAGE) {
    messages.push({ campaignId, recipients: customerIds.slice(start, start + RECIPIENTS_PER_MESSAGE) });
  }
  for (let start = 0; start < messages.length; start += ENTRIES_PER_CALL) {
    let entries = messages
      .slice(start, start + ENTRIES_PER_CALL)
      .map((message, i) => ({ Id: String(i), MessageBody: JSON.stringify(message) }));
    for (let attempt = 1; entries.length > 0; attempt++) {
      if (attempt > ATTEMPTS) throw new Error(`SQS did not take ${entries.length} campaign send messages`);
      const { Failed } = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: config.campaignSendQueueUrl, Entries: entries }),
      );
      const failedIds = new Set((Failed ?? []).map((failure) => failure.Id));
      entries = entries.filter((entry) => failedIds.has(entry.Id));
      if (entries.length > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
};
