import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LambdaFunctionName } from '#functions/catalog';
import { type QueueName, queues } from '#functions/queues';
import type { CrmFunction } from './crm-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface WorkQueuesProps {
  functions: Record<LambdaFunctionName, CrmFunction>;
  /** Invocations of a queue's target at once (the event source's maximum concurrency, 2..1000). */
  maxConcurrency: Record<QueueName, number>;
}

/**
 * One SQS queue per functions/queues.ts entry (encrypted, TLS only, a redrive DLQ with an alarm),
 * its target fed by an event source mapping with partial batch failures and a maximum
 * concurrency, and its producers given its URL and the right to send to it.
 */
export class WorkQueues extends Construct {
  readonly queues: Record<QueueName, Queue>;

  constructor(scope: Construct, id: string, props: WorkQueuesProps) {
    super(scope, id);
    this.queues = {} as Record<QueueName, Queue>;
    for (const [name, definition] of Object.entries(queues) as [QueueName, (typeof queues)[QueueName]][]) {
      const dlq = new DeadLetterQueue(this, `${name}Dlq`, {
        description: `${definition.description}: messages that failed ${definition.maxReceiveCount} times (redrive them to the queue once fixed).`,
      });
      const queue = new Queue(this, name, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq.queue, maxReceiveCount: definition.maxReceiveCount },
      });
      props.functions[definition.target].function.addEventSource(
        new SqsEventSource(queue, {
          batchSize: definition.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency: props.maxConcurrency[name],
        }),
      );
      for (const producer of definition.producers) {
        const fn = props.functions[producer];
        fn.function.addEnvironment(definition.urlVariable, queue.queueUrl);
        queue.grantSendMessages(fn.function);
      }
      this.queues[name] = queue;
    }
  }
}
