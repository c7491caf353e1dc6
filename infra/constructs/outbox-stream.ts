import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventSourceMapping, FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { OUTBOX_STREAM_FILTER } from '#shared/data/table-definition';
import type { CrmFunction } from './crm-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface OutboxStreamProps {
  table: ITable;
  publisher: CrmFunction;
}

/**
 * Feeds the table's stream to the outbox publisher: only newly inserted outbox items
 * (OUTBOX_STREAM_FILTER, the same filter the local stream poller applies), partial batch failures,
 * bisecting a failing batch to isolate the bad record, and an on-failure queue that keeps a
 * pointer to every record given up on.
 */
export class OutboxStream extends Construct {
  readonly mapping: EventSourceMapping;
  readonly dlq: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: OutboxStreamProps) {
    super(scope, id);
    const { table, publisher } = props;
    if (!table.tableStreamArn) throw new Error(`Table ${table.node.path} has no stream`);

    this.dlq = new DeadLetterQueue(this, 'FailedRecords', {
      description:
        'Outbox stream records the publisher gave up on (metadata only: read the items from the table by key, then republish).',
    });
    // Without a wildcard: the grant the L2 DynamoEventSource would add includes ListStreams on '*'.
    publisher.grantTableStreamRead(table);
    this.mapping = new EventSourceMapping(this, 'Mapping', {
      target: publisher.function,
      eventSourceArn: table.tableStreamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)],
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: 10,
      // Stream records live 24 h; giving up earlier leaves time to republish from the DLQ pointer.
      maxRecordAge: Duration.hours(6),
      onFailure: new SqsDlq(this.dlq.queue),
    });
    // The mapping must not start before its role may read the stream.
    this.mapping.node.addDependency(publisher.role);
  }
}
