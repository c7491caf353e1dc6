import { SQSClient } from '@aws-sdk/client-sqs';
import { config } from '#shared/config';

/** One SQS client per container (the local runtime points SQS_ENDPOINT at its own queues). */
export const sqs = new SQSClient({ endpoint: config.endpoints.sqs, maxAttempts: 5 });
