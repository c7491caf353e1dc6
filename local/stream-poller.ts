import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_REGION, localClientConfig } from './aws-local.ts';
import { matchesPattern } from './event-pattern.ts';
import { type Checkpoints, fileCheckpoints, memoryCheckpoints } from './stream-checkpoints.ts';
import { toLambdaRecord } from './stream-records.ts';

export interface StreamPollerOptions {
  /** DynamoDB Local endpoint (it serves the Streams API on the same port). */
  endpoint: string;
  tableName: string;
  /** Lambda event-source filter (OUTBOX_STREAM_FILTER): records that do not match are skipped. */
  filter?: Readonly<Record<string, unknown>>;
  /** The consumer, e.g. the outbox publisher handler through the invoker. */
  invoke: (event: DynamoDBStreamEvent) => Promise<unknown>;
  /** Records per invocation (Lambda's BatchSize), default 100. */
  batchSize?: number;
  /** Pause between polls when a shard has nothing new, default 250 ms. */
  intervalMs?: number;
  /** Persist per-shard checkpoints here (omit for in-memory tables). */
  checkpointFile?: string;
  /**
   * Attempts per batch before its records are discarded (Lambda's MaximumRetryAttempts + 1, then
   * the on-failure destination), default 6; first backoff 250 ms, doubling up to 4 s.
   */
  retry?: { attempts?: number; baseDelayMs?: number };
  region?: string;
  log?: (message: string) => void;
}

export interface StreamPoller {
  /** Resolves after a complete poll, started after the call, found nothing new and left nothing to retry. */
  waitForIdle(): Promise<void>;
  /** Batches (or their unprocessed tails) that failed every attempt. */
  readonly discarded: readonly DynamoDBRecord[][];
  /** Records handed to the consumer so far (after filtering), counting each record once. */
  readonly deliveredCount: number;
  stop(): Promise<void>;
}

interface ShardState {
  shard: Shard;
  iterator?: string;
  finished: boolean;
}

interface IdleWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
  armed: boolean;
}

/** Which records a consumer reported as failed: the first one and everything after it is retried. */
const retryFrom = (batch: readonly DynamoDBRecord[], response: unknown): number | undefined => {
  const failures = (response as Partial<DynamoDBBatchResponse> | undefined)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  const positions = failures.map((failure) =>
    batch.findIndex((record) => record.dynamodb?.SequenceNumber === failure?.itemIdentifier),
  );
  // Like Lambda: an identifier that is not in the batch fails the whole batch.
  return positions.some((position) => position < 0) ? 0 : Math.min(...positions);
};

/**
 * Polls a table's stream the way Lambda's event source mapping does and feeds matching records
 * to a consumer in batches: from TRIM_HORIZON, parents before children, in order per shard, with
 * ReportBatchItemFailures semantics (retry from the first failed record) and retries on errors.
 */
export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const region = options.region ?? process.env.AWS_REGION ?? LOCAL_REGION;
  const batchSize = options.batchSize ?? 100;
  const intervalMs = options.intervalMs ?? 250;
  const attempts = options.retry?.attempts ?? 6;
  const baseDelayMs = options.retry?.baseDelayMs ?? 250;
  const log = options.log ?? (() => {});
  const dynamodb = new DynamoDBClient(localClientConfig(options.endpoint));
  const streams = new DynamoDBStreamsClient(localClientConfig(options.endpoint));

  const shards = new Map<string, ShardState>();
  const discarded: DynamoDBRecord[][] = [];
  const waiters: IdleWaiter[] = [];
  let streamArn: string | undefined;
  let checkpoints: Checkpoints = memoryCheckpoints();
  let deliveredCount = 0;
  let stopped = false;
  let failedCycles = 0;
  let wake: (() => void) | undefined;
  const stopping = new AbortController();

  /** The pause between polls: waitForIdle() cuts it short, so tests do not wait for the timer. */
  const pauseBetweenPolls = (ms: number) =>
    new Promise<void>((resolvePause) => {
      const timer = setTimeout(resolvePause, ms);
      wake = () => {
        clearTimeout(timer);
        resolvePause();
      };
    }).finally(() => {
      wake = undefined;
    });

  /** Retry backoff: only stop() cuts it short. */
  const backoff = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => {});

  const locateStream = async (): Promise<string | undefined> => {
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
      return Table?.StreamSpecification?.StreamEnabled ? Table.LatestStreamArn : undefined;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  };

  const useStream = (arn: string) => {
    streamArn = arn;
    shards.clear();
    checkpoints = options.checkpointFile ? fileCheckpoints(options.checkpointFile, arn) : memoryCheckpoints();
  };

  const refreshShards = async (arn: string) => {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || shards.has(shard.ShardId)) continue;
        shards.set(shard.ShardId, { shard, finished: checkpoints.get(shard.ShardId)?.finished === true });
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  };

  const openIterator = async (
    arn: string,
    state: ShardState,
    fromStart = false,
  ): Promise<string | undefined> => {
    const shardId = state.shard.ShardId as string;
    const after = fromStart ? undefined : checkpoints.get(shardId)?.sequenceNumber;
    try {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: arn,
          ShardId: shardId,
          ...(after
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      return ShardIterator;
    } catch (error) {
      // The checkpoint is older than the stream's 24 h retention: start from what is left.
      if (after && error instanceof TrimmedDataAccessException) return openIterator(arn, state, true);
      throw error;
    }
  };

  /** Delivers one batch until it succeeds or runs out of attempts; never throws. */
  const deliver = async (records: DynamoDBRecord[]) => {
    let batch = records;
    for (let attempt = 1; !stopped; attempt++) {
      let from: number | undefined;
      let problem: string;
      try {
        from = retryFrom(batch, await options.invoke({ Records: batch }));
        if (from === undefined) return;
        problem = `reported ${batch.length - from} failed record(s) from ${batch[from]?.dynamodb?.SequenceNumber}`;
      } catch (error) {
        from = 0;
        problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      batch = batch.slice(from);
      if (attempt >= attempts) {
        discarded.push(batch);
        log(`stream: discarded ${batch.length} record(s) after ${attempts} attempts: ${problem}`);
        return;
      }
      log(`stream: consumer failed (attempt ${attempt}/${attempts}), retrying: ${problem}`);
      await backoff(Math.min(baseDelayMs * 2 ** (attempt - 1), 4000));
    }
  };

  /** Reads a shard until it has nothing new; returns how many records it read. */
  const drainShard = async (arn: string, state: ShardState): Promise<number> => {
    const shardId = state.shard.ShardId as string;
    let read = 0;
    while (!stopped && !state.finished) {
      state.iterator ??= await openIterator(arn, state);
      if (!state.iterator) {
        state.finished = true;
        break;
      }
      let page: GetRecordsCommandOutput;
      try {
        page = await streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 1000 }));
      } catch (error) {
        state.iterator = undefined;
        if (error instanceof ExpiredIteratorException) continue;
        if (error instanceof TrimmedDataAccessException) {
          state.iterator = await openIterator(arn, state, true);
          continue;
        }
        throw error;
      }
      const records = (page.Records ?? []).map((record) => toLambdaRecord(record, arn, region));
      const wanted = options.filter
        ? records.filter((record) => matchesPattern(options.filter ?? {}, record))
        : records;
      for (let start = 0; start < wanted.length && !stopped; start += batchSize) {
        const batch = wanted.slice(start, start + batchSize);
        await deliver(batch);
        deliveredCount += batch.length;
      }
      if (stopped) break;
      state.iterator = page.NextShardIterator;
      const last = records.at(-1)?.dynamodb?.SequenceNumber ?? checkpoints.get(shardId)?.sequenceNumber;
      state.finished = !page.NextShardIterator;
      checkpoints.set(shardId, { sequenceNumber: last, finished: state.finished });
      checkpoints.flush();
      read += records.length;
      if (records.length === 0) break;
    }
    return read;
  };

  /** One pass over every readable shard; returns how many records it read. */
  const cycle = async (): Promise<number> => {
    const arn = await locateStream();
    if (!arn) return 0;
    if (arn !== streamArn) useStream(arn);
    await refreshShards(arn);
    let read = 0;
    for (const state of shards.values()) {
      const parent = state.shard.ParentShardId ? shards.get(state.shard.ParentShardId) : undefined;
      // Children wait until their parent is fully read, so per-key order holds across a split.
      if (state.finished || (parent && !parent.finished)) continue;
      read += await drainShard(arn, state);
    }
    return read;
  };

  const loop = (async () => {
    while (!stopped) {
      for (const waiter of waiters) waiter.armed = true;
      try {
        const read = await cycle();
        failedCycles = 0;
        if (read === 0) {
          for (const waiter of waiters.filter((candidate) => candidate.armed)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      } catch (error) {
        failedCycles++;
        if (failedCycles === 1 || failedCycles % 40 === 0) log(`stream: polling failed: ${String(error)}`);
        // A service that stays down must not leave tests waiting until their timeout in silence.
        if (failedCycles >= 5) {
          for (const waiter of waiters.splice(0))
            waiter.reject(new Error(`Stream poller is failing: ${String(error)}`));
        }
        await backoff(intervalMs);
        continue;
      }
      if (waiters.length === 0) await pauseBetweenPolls(intervalMs);
    }
  })();

  return {
    discarded,
    get deliveredCount() {
      return deliveredCount;
    },
    waitForIdle: () =>
      new Promise<void>((resolve, reject) => {
        if (stopped) return resolve();
        waiters.push({ resolve, reject, armed: false });
        wake?.();
      }),
    stop: async () => {
      stopped = true;
      stopping.abort();
      wake?.();
      await loop;
      for (const waiter of waiters.splice(0)) waiter.resolve();
      dynamodb.destroy();
      streams.destroy();
    },
  };
};
