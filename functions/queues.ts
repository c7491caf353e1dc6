import { ENV } from '#shared/config';
import { CAMPAIGN_SENDER_TIMEOUT_SECONDS } from '#shared/domain/campaign-progress';
import type { LambdaFunctionName } from './catalog.ts';

/**
 * Every SQS work queue of the app and the function its event source mapping feeds: the CDK app
 * creates each queue (with a redrive DLQ) and mapping from here, and the local runtime delivers
 * messages to the same handlers with the same batch size, concurrency and redrive count.
 */
export interface QueueDefinition {
  description: string;
  target: LambdaFunctionName;
  /** Records per invocation. */
  batchSize: number;
  /** How long a received message stays hidden: six times the target's timeout, as AWS advises. */
  visibilityTimeoutSeconds: number;
  /** Receives before the message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** Functions that send to the queue, and the variable that gives them its URL. */
  producers: readonly LambdaFunctionName[];
  urlVariable: string;
}

export const queues = {
  campaignSend: {
    description: 'Campaign recipients in batches, from the dispatcher to the rate-limited sender',
    target: 'campaignSender',
    // One message (up to 50 recipients) per invocation: the sender paces itself, so a bigger
    // batch would only make a failed message wait behind others.
    batchSize: 1,
    visibilityTimeoutSeconds: 6 * CAMPAIGN_SENDER_TIMEOUT_SECONDS,
    maxReceiveCount: 5,
    producers: ['campaignDispatcher'],
    urlVariable: ENV.campaignSendQueueUrl,
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof queues;
