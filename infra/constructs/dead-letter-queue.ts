import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** What ends up here and how to redrive it; becomes the alarm's description. */
  description: string;
}

/**
 * Where failed deliveries wait for an operator: encrypted, TLS-only, kept the 14 days SQS
 * allows, with an alarm as soon as one message arrives (a DLQ nobody looks at loses data slowly).
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // EventBridge targets, Lambda destinations and stream mappings point at this queue, which
    // cdk-nag cannot see (it only recognises queue-to-queue and function DeadLetterConfig links).
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue; a DLQ behind it would only move the same messages.',
    });

    this.alarm = new Alarm(this, 'NotEmpty', {
      alarmDescription: props.description,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
