import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventSourceMapping, FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { IMPORT_CHUNK_STREAM_FILTER } from '#shared/data/import-stream-filter';
import type { CrmFunction } from './crm-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface ImportStreamProps {
  table: ITable;
  worker: CrmFunction;
}

/**
 * Feeds import chunks to the import worker: the table stream's inserts of chunk progress items
 * (IMPORT_CHUNK_STREAM_FILTER, applied the same way by the local poller), one chunk per invocation,
 * ten chunks of a shard in parallel, partial batch failures, and an on-failure queue for chunks
 * given up on (their job then stays `running`; the markers let a redrive finish it).
 */
export class ImportStream extends Construct {
  readonly mapping: EventSourceMapping;
  readonly dlq: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: ImportStreamProps) {
    super(scope, id);
    const { table, worker } = props;
    if (!table.tableStreamArn) throw new Error(`Table ${table.node.path} has no stream`);
    this.dlq = new DeadLetterQueue(this, 'FailedChunks', {
      description: 'Import chunks the worker gave up on (stream metadata: the chunk item key is in it).',
    });
    worker.grantTableStreamRead(table);
    this.mapping = new EventSourceMapping(this, 'Mapping', {
      target: worker.function,
      eventSourceArn: table.tableStreamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      filters: [FilterCriteria.filter(IMPORT_CHUNK_STREAM_FILTER)],
      batchSize: 1,
      parallelizationFactor: 10,
      reportBatchItemFailures: true,
      retryAttempts: 10,
      maxRecordAge: Duration.hours(6),
      onFailure: new SqsDlq(this.dlq.queue),
    });
    this.mapping.node.addDependency(worker.role);
  }
}
