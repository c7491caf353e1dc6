import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '#events/catalog';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { IMPORT_LIMITS } from '#shared/domain/import-limits';
import type { ImportRow } from '#shared/domain/import-rows';
import { outboxPut } from './outbox.ts';
import { failedConditions } from './transaction-errors.ts';

/**
 * Import jobs. The job's partition holds what GET /imports/{id} reads in one Query, in key order:
 * the chunks' progress items (`CHUNK#…`), the job (`JOB`), then the skipped rows (`SKIP#<row>`).
 * Each chunk's rows and its per-row outcome markers live in the chunk's own partition, so the
 * progress Query never reads them and a big import spreads its writes over many partitions.
 *
 * | Access pattern                          | Index  | Key condition                                        |
 * |-----------------------------------------|--------|------------------------------------------------------|
 * | Read a job's progress and skipped rows  | table  | pk = IMPORT#<id> (CHUNK#…, JOB, SKIP#<row>)          |
 * | Read a chunk's rows                     | table  | pk = IMPORT_CHUNK#<id>#<n>, sk = ROWS                 |
 * | Rows of a chunk already done            | table  | pk = IMPORT_CHUNK#<id>#<n>, sk begins_with ROW#       |
 * | Start a chunk's worker                  | stream | INSERT of items with type = import-chunk             |
 *
 * Everything expires 30 days after the import (TTL): the report is for the import's aftermath.
 */
const RETENTION_SECONDS = 30 * 24 * 60 * 60;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const importKeys = {
  partition: (id: string) => `IMPORT#${id}`,
  job: (id: string) => ({ pk: `IMPORT#${id}`, sk: 'JOB' }),
  chunk: (id: string, chunk: number) => ({ pk: `IMPORT#${id}`, sk: `CHUNK#${pad(chunk, 4)}` }),
  skipped: (id: string, row: number) => ({ pk: `IMPORT#${id}`, sk: `SKIP#${pad(row, 6)}` }),
  chunkRows: (id: string, chunk: number) => ({ pk: `IMPORT_CHUNK#${id}#${pad(chunk, 4)}`, sk: 'ROWS' }),
  rowDone: (id: string, chunk: number, row: number) => ({
    pk: `IMPORT_CHUNK#${id}#${pad(chunk, 4)}`,
    sk: `ROW#${pad(row, 6)}`,
  }),
};

export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';
export type ChunkStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ImportJobItem {
  id: string;
  format: string;
  total: number;
  chunkCount: number;
  chunksDone: number;
  createdAt: string;
  createdBy: string;
  /** The importer's roles when the file was posted: rows are written with their rights. */
  roles: string[];
  completedAt?: string;
}

export interface ChunkProgress {
  chunk: number;
  rows: number;
  status: ChunkStatus;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

const table = () => config.tableName;
const expiry = (createdAt: string) => Math.floor(Date.parse(createdAt) / 1000) + RETENTION_SECONDS;

/** Stores each chunk's rows. Inert until the job is committed: a POST that dies here leaves only expiring items. */
export const stageChunks = async (job: ImportJobItem, chunks: readonly ImportRow[][]): Promise<void> => {
  const puts = chunks.map(
    (rows, index) => () =>
      documentClient.send(
        new PutCommand({
          TableName: table(),
          Item: {
            ...importKeys.chunkRows(job.id, index + 1),
            type: 'import-rows',
            rows: JSON.stringify(rows),
            expiresAt: expiry(job.createdAt),
          },
        }),
      ),
  );
  for (let start = 0; start < puts.length; start += 8) {
    await Promise.all(puts.slice(start, start + 8).map((put) => put()));
  }
};

/** The commit point: the job and every chunk's progress item in one transaction (their inserts start the workers). */
export const commitImport = async (job: ImportJobItem, chunkSizes: readonly number[]): Promise<void> => {
  if (chunkSizes.length > IMPORT_LIMITS.maxChunks) throw new Error(`Too many chunks: ${chunkSizes.length}`);
  const expiresAt = expiry(job.createdAt);
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: table(),
            Item: { ...importKeys.job(job.id), type: 'import', ...job, expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...chunkSizes.map((rows, index) => ({
          Put: {
            TableName: table(),
            Item: {
              ...importKeys.chunk(job.id, index + 1),
              type: 'import-chunk',
              importId: job.id,
              chunk: index + 1,
              rows,
              status: 'queued',
              processed: 0,
              expiresAt,
            },
          },
        })),
      ],
    }),
  );
};

/** Which chunk a stream record's new image names. */
export const chunkOfItem = (item: Record<string, unknown>) => ({
  importId: String(item.importId),
  chunk: Number(item.chunk),
});

export const getImportJob = async (id: string): Promise<ImportJobItem | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: importKeys.job(id), ConsistentRead: true }),
  );
  return Item as ImportJobItem | undefined;
};

/** A chunk's rows as stored (parsed by the caller), or undefined when the item is gone. */
export const getChunkRows = async (id: string, chunk: number): Promise<unknown[] | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: importKeys.chunkRows(id, chunk), ConsistentRead: true }),
  );
  return Item ? (JSON.parse(String(Item.rows)) as unknown[]) : undefined;
};

/** queued → running; a chunk that is further along stays as it is. */
export const markChunkRunning = async (id: string, chunk: number): Promise<void> => {
  await documentClient
    .send(
      new UpdateCommand({
        TableName: table(),
        Key: importKeys.chunk(id, chunk),
        UpdateExpression: 'SET #status = :running',
        ConditionExpression: '#status = :queued',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running', ':queued': 'queued' },
      }),
    )
    .catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
};

/** Every row of a chunk that already has its outcome, strongly consistent (all pages). */
export const doneRows = async (id: string, chunk: number): Promise<Map<number, RowOutcome>> => {
  const done = new Map<number, RowOutcome>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :row)',
        ExpressionAttributeValues: { ':pk': importKeys.rowDone(id, chunk, 0).pk, ':row': 'ROW#' },
        ProjectionExpression: '#row, outcome',
        ExpressionAttributeNames: { '#row': 'row' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) done.set(Number(item.row), item.outcome as RowOutcome);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return done;
};

/**
 * The marker that a row is done, for the transaction that does it: written only if absent, so a
 * redelivered or concurrently processed chunk can never apply a row twice.
 */
export const rowDonePut = (
  id: string,
  chunk: number,
  row: number,
  outcome: RowOutcome,
  customerId?: string,
) => ({
  Put: {
    TableName: table(),
    Item: { ...importKeys.rowDone(id, chunk, row), type: 'import-row', row, outcome, customerId },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/** Records an outcome that writes no customer (skipped, unchanged); false when the row was already done. */
export const recordRowOutcome = async (
  id: string,
  chunk: number,
  row: number,
  outcome: { kind: 'skipped'; reason: string } | { kind: 'unchanged'; customerId: string },
  expiresAt: number,
): Promise<boolean> => {
  const marker = rowDonePut(
    id,
    chunk,
    row,
    outcome.kind,
    outcome.kind === 'unchanged' ? outcome.customerId : undefined,
  );
  const skip =
    outcome.kind === 'skipped'
      ? [
          {
            Put: {
              TableName: table(),
              Item: {
                ...importKeys.skipped(id, row),
                type: 'import-skip',
                row,
                reason: outcome.reason,
                expiresAt,
              },
            },
          },
        ]
      : [];
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: [marker, ...skip] }));
    return true;
  } catch (error) {
    if (failedConditions(error)?.includes(0)) return false;
    throw error;
  }
};

/** Progress within a chunk only moves forward (a slower duplicate worker cannot set it back). */
export const setChunkProcessed = async (id: string, chunk: number, processed: number): Promise<void> => {
  await documentClient
    .send(
      new UpdateCommand({
        TableName: table(),
        Key: importKeys.chunk(id, chunk),
        UpdateExpression: 'SET #processed = :processed',
        ConditionExpression: '#processed < :processed AND #status <> :done',
        ExpressionAttributeNames: { '#status': 'status', '#processed': 'processed' },
        ExpressionAttributeValues: { ':processed': processed, ':done': 'done' },
      }),
    )
    .catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
};

/**
 * Closes a chunk with its final counts, counts it on the job and deletes its staged rows, once:
 * false when another worker (or an earlier delivery) already closed it.
 */
export const finishChunk = async (
  id: string,
  chunk: number,
  result: { status: 'done' | 'failed'; counts: Record<RowOutcome, number>; processed: number },
): Promise<boolean> => {
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: importKeys.chunk(id, chunk),
              UpdateExpression:
                'SET #status = :status, #processed = :processed, #created = :created, #updated = :updated, ' +
                '#unchanged = :unchanged, #skipped = :skipped',
              ConditionExpression: '#status IN (:queued, :running)',
              ExpressionAttributeNames: {
                '#status': 'status',
                '#processed': 'processed',
                '#created': 'created',
                '#updated': 'updated',
                '#unchanged': 'unchanged',
                '#skipped': 'skipped',
              },
              ExpressionAttributeValues: {
                ':status': result.status,
                ':processed': result.processed,
                ':created': result.counts.created,
                ':updated': result.counts.updated,
                ':unchanged': result.counts.unchanged,
                ':skipped': result.counts.skipped,
                ':queued': 'queued',
                ':running': 'running',
              },
            },
          },
          {
            Update: {
              TableName: table(),
              Key: importKeys.job(id),
              UpdateExpression: 'ADD chunksDone :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          // The staged rows are personal data no longer needed: from here they live only in the
          // customers they became, where a GDPR erase reaches them.
          { Delete: { TableName: table(), Key: importKeys.chunkRows(id, chunk) } },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (failedConditions(error)?.includes(0)) return false;
    throw error;
  }
};

/** Marks the job completed with its event, once (the condition makes the last two chunks' race safe). */
export const completeImport = async (
  id: string,
  completedAt: string,
  event: DomainEvent,
): Promise<boolean> => {
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table(),
              Key: importKeys.job(id),
              UpdateExpression: 'SET completedAt = :at',
              ConditionExpression: 'attribute_not_exists(completedAt) AND chunksDone >= chunkCount',
              ExpressionAttributeValues: { ':at': completedAt },
            },
          },
          outboxPut(event),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (failedConditions(error)?.includes(0)) return false;
    throw error;
  }
};

export interface ImportSnapshot {
  job: ImportJobItem;
  chunks: ChunkProgress[];
  skipped: { row: number; reason: string }[];
  /** More skipped rows exist than were read. */
  moreSkipped: boolean;
}

/**
 * One Query of the job's partition: every chunk, the job, and the first skipped rows (key order
 * puts CHUNK# before JOB before SKIP#, so the limit only ever cuts the skipped rows).
 */
export const readImport = async (id: string): Promise<ImportSnapshot | undefined> => {
  const limit = IMPORT_LIMITS.maxChunks + 1 + IMPORT_LIMITS.skippedRowsShown;
  const page = await documentClient.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': importKeys.partition(id) },
      Limit: limit + 1,
    }),
  );
  const items = page.Items ?? [];
  const job = items.find((item) => item.type === 'import');
  if (!job || Number(job.expiresAt) * 1000 < Date.now()) return undefined;
  const skippedItems = items.filter((item) => item.type === 'import-skip');
  return {
    job: job as unknown as ImportJobItem,
    chunks: items.filter((item) => item.type === 'import-chunk') as unknown as ChunkProgress[],
    skipped: skippedItems
      .slice(0, IMPORT_LIMITS.skippedRowsShown)
      .map((item) => ({ row: Number(item.row), reason: String(item.reason) })),
    moreSkipped: skippedItems.length > IMPORT_LIMITS.skippedRowsShown || page.LastEvaluatedKey !== undefined,
  };
};
