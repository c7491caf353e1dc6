import * as z from 'zod';
import { buildEvent } from '#events/catalog';
import { customersHoldingContacts } from '#shared/data/customers';
import * as store from '#shared/data/imports';
import { ExtraWriteConditionFailed } from '#shared/data/transaction-errors';
import type { Actor, Role } from '#shared/domain/actor';
import {
  ConcurrentWrite,
  Conflict,
  DomainError,
  type FieldIssue,
  NotFound,
  ValidationFailed,
} from '#shared/domain/errors';
import { assertImportSize, readCsv, readNdjson } from '#shared/domain/import-file';
import type { ImportContentType } from '#shared/domain/import-limits';
import { assertMayImport } from '#shared/domain/import-policy';
import {
  checkCsvHeader,
  chunkRows,
  type ImportRow,
  mergeRowIntoCustomer,
  prepareRows,
  rowContacts,
} from '#shared/domain/import-rows';
import { newId, nowIso } from '#shared/ids';
import type { CreateCustomerRequest } from '#shared/schemas/customer';
import { type ImportJob, StoredImportRow } from '#shared/schemas/import';
import { createCustomer, updateCustomer } from './customers.ts';
import { eventMeta } from './event-meta.ts';

/** Customer import: a file becomes a job of chunks; a worker per chunk writes each row exactly once. */

/** Rows of a chunk written at the same time (each is its own transaction). */
const ROW_CONCURRENCY = 16;
/** A row that meets another transaction on the same items is tried this many times. */
const ROW_ATTEMPTS = 5;
/** `processed` is written every this many slices (about every 100 rows), not per row. */
const PROGRESS_EVERY_SLICES = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const statusOf = (snapshot: store.ImportSnapshot): ImportJob['status'] => {
  if (snapshot.job.completedAt)
    return snapshot.chunks.some((chunk) => chunk.status === 'failed') ? 'failed' : 'completed';
  return snapshot.chunks.some((chunk) => chunk.status !== 'queued') ? 'running' : 'queued';
};

const sum = (chunks: store.ChunkProgress[], field: 'processed' | store.RowOutcome) =>
  chunks.reduce((total, chunk) => total + Number(chunk[field] ?? 0), 0);

const toImportJob = (snapshot: store.ImportSnapshot): ImportJob => ({
  id: snapshot.job.id,
  status: statusOf(snapshot),
  format: snapshot.job.format as ImportJob['format'],
  total: snapshot.job.total,
  processed: sum(snapshot.chunks, 'processed'),
  created: sum(snapshot.chunks, 'created'),
  updated: sum(snapshot.chunks, 'updated'),
  unchanged: sum(snapshot.chunks, 'unchanged'),
  skipped: sum(snapshot.chunks, 'skipped'),
  skippedRows: snapshot.skipped,
  skippedRowsTruncated: snapshot.moreSkipped,
  createdAt: snapshot.job.createdAt,
  createdBy: snapshot.job.createdBy,
  ...(snapshot.job.completedAt ? { completedAt: snapshot.job.completedAt } : {}),
});

/**
 * 1. Check the caller may import and the body is within the byte limit (before parsing).
 * 2. Read the file (a malformed CSV is a 400 naming the line; too many rows a 413), clean every
 *    row with the customer schema, mark in-file duplicates, split into chunks.
 * 3. Store the chunks' rows, then commit the job and its chunks' progress items in one transaction:
 *    their inserts on the table stream start one worker per chunk.
 */
export const startImport = async (
  actor: Actor,
  upload: { contentType: ImportContentType; text: string },
): Promise<ImportJob> => {
  assertMayImport(actor);
  assertImportSize(Buffer.byteLength(upload.text), upload.contentType);
  const records =
    upload.contentType === 'text/csv' ? readCsv(upload.text, checkCsvHeader) : readNdjson(upload.text);
  if (records.length === 0)
    throw new ValidationFailed([{ in: 'body', field: '', detail: 'The file has no rows' }]);
  const chunks = chunkRows(prepareRows(records));
  const job: store.ImportJobItem = {
    id: newId(),
    format: upload.contentType,
    total: records.length,
    chunkCount: chunks.length,
    chunksDone: 0,
    createdAt: nowIso(),
    createdBy: actor.userId,
    roles: [...actor.roles],
  };
  await store.stageChunks(job, chunks);
  await store.commitImport(
    job,
    chunks.map((rows) => rows.length),
  );
  return toImportJob({
    job,
    chunks: chunks.map((rows, index) => ({
      chunk: index + 1,
      rows: rows.length,
      status: 'queued',
      processed: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
    })),
    skipped: [],
    moreSkipped: false,
  });
};

/** Progress of a job: one Query of its partition. Admins and managers only, like the import. */
export const getImport = async (actor: Actor, id: string): Promise<ImportJob> => {
  assertMayImport(actor);
  const snapshot = await store.readImport(id);
  if (!snapshot) throw new NotFound(`No import ${id}.`);
  return toImportJob(snapshot);
};

interface ChunkContext {
  importId: string;
  chunk: number;
  actor: Actor;
  expiresAt: number;
}

/**
 * Why a row was skipped, from the error's field issues (field and rule, never the value: a
 * message such as "The e-mail address … already belongs" would keep personal data in the job).
 */
const skipReason = (error: DomainError): string => {
  const { issues = [], existingId } = error as DomainError & { issues?: FieldIssue[]; existingId?: string };
  const [issue] = issues;
  if (!issue) return error instanceof Conflict ? 'conflicts with another customer' : error.message;
  return `${issue.field || 'row'}: ${issue.detail}${existingId ? ` (customer ${existingId})` : ''}`;
};

const skipRow = (context: ChunkContext, row: number, reason: string) =>
  store.recordRowOutcome(
    context.importId,
    context.chunk,
    row,
    { kind: 'skipped', reason },
    context.expiresAt,
  );

/** The customer a row belongs to (by e-mail or phone), none, or a clash between two customers. */
const existingCustomerOf = async (request: CreateCustomerRequest) => {
  const holders = await customersHoldingContacts(rowContacts(request));
  const ids = [...new Set(holders.map((holder) => holder.customerId))];
  if (ids.length <= 1) return { customerId: ids[0] };
  // Named by kind, never by value: skip reasons are kept for 30 days and must hold no personal data.
  const named = ids.map((id) => {
    const value = holders.find((h) => h.customerId === id)?.value ?? '';
    return `its ${value.includes('@') ? 'e-mail address' : 'phone number'} belongs to customer ${id}`;
  });
  return { clash: `matches more than one customer: ${named.join('; ')}` };
};

/**
 * One row, exactly once: its outcome marker is written in the same transaction as the customer
 * (condition attribute_not_exists), so a redelivered chunk or a second worker on the same chunk
 * finds it done (ExtraWriteConditionFailed) and writes nothing.
 */
const importRow = async (context: ChunkContext, row: ImportRow): Promise<void> => {
  if ('skip' in row) {
    await skipRow(context, row.row, row.skip);
    return;
  }
  const { importId, chunk, actor } = context;
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await existingCustomerOf(row.request);
      if (existing.clash) {
        await skipRow(context, row.row, existing.clash);
        return;
      }
      if (existing.customerId) {
        let readVersion = 0;
        const result = await updateCustomer(
          actor,
          existing.customerId,
          (current) => {
            readVersion = current.version;
            return mergeRowIntoCustomer(current, row.request);
          },
          undefined,
          [store.rowDonePut(importId, chunk, row.row, 'updated', existing.customerId)],
        );
        if (result.version === readVersion) {
          await store.recordRowOutcome(
            importId,
            chunk,
            row.row,
            { kind: 'unchanged', customerId: existing.customerId },
            context.expiresAt,
          );
        }
        return;
      }
      await createCustomer(actor, row.request, [store.rowDonePut(importId, chunk, row.row, 'created')]);
      return;
    } catch (error) {
      if (error instanceof ExtraWriteConditionFailed) return; // another delivery did this row
      const raced =
        error instanceof ConcurrentWrite || error instanceof Conflict || error instanceof NotFound;
      // Someone took the e-mail, deleted the customer or wrote the same items meanwhile: decide again.
      if (raced && attempt < ROW_ATTEMPTS) {
        await sleep(Math.random() * 20 * 2 ** attempt);
        continue;
      }
      // Any rule the row breaks skips it; only AWS trouble (throttling, timeouts) fails the chunk for a retry.
      if (error instanceof DomainError) {
        await skipRow(context, row.row, skipReason(error));
        return;
      }
      throw error;
    }
  }
};

const countOutcomes = (outcomes: Map<number, store.RowOutcome>) => {
  const counts: Record<store.RowOutcome, number> = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (const outcome of outcomes.values()) counts[outcome]++;
  return counts;
};

/** After a chunk closes: the worker that sees every chunk closed publishes `import.completed`, once. */
const completeIfLast = async (importId: string, actor: Actor): Promise<void> => {
  const job = await store.getImportJob(importId);
  if (!job || job.completedAt || job.chunksDone < job.chunkCount) return;
  const snapshot = await store.readImport(importId);
  if (!snapshot) return;
  const now = nowIso();
  const failed = snapshot.chunks.some((chunk) => chunk.status === 'failed');
  const event = buildEvent(
    'import.completed',
    {
      importId,
      importedBy: job.createdBy,
      status: failed ? 'failed' : 'completed',
      total: job.total,
      created: sum(snapshot.chunks, 'created'),
      updated: sum(snapshot.chunks, 'updated'),
      unchanged: sum(snapshot.chunks, 'unchanged'),
      skipped: sum(snapshot.chunks, 'skipped'),
    },
    eventMeta(actor, now),
  );
  await store.completeImport(importId, now, event);
};

/**
 * The worker's use case, safe to run twice at once or again after a crash:
 * 1. Read the job (the importer's rights) and the chunk's rows; a chunk that cannot be read fails.
 * 2. Skip the rows that already have an outcome; write the others, a few at a time, moving the
 *    chunk's `processed` forward as they finish.
 * 3. Count the outcome markers (the truth, whoever wrote them), close the chunk with the counts and,
 *    if it was the last one, complete the job.
 */
export const importChunk = async (importId: string, chunk: number): Promise<void> => {
  const job = await store.getImportJob(importId);
  if (!job) throw new Error(`Import ${importId} has no job item`);
  const actor: Actor = { userId: job.createdBy, roles: job.roles as Role[], correlationId: importId };
  const context: ChunkContext = {
    importId,
    chunk,
    actor,
    expiresAt: Math.floor(Date.parse(job.createdAt) / 1000) + 30 * 24 * 60 * 60,
  };
  const parsed = z.array(StoredImportRow).safeParse(await store.getChunkRows(importId, chunk));
  if (!parsed.success) {
    const none = { created: 0, updated: 0, unchanged: 0, skipped: 0 };
    await store.finishChunk(importId, chunk, { status: 'failed', counts: none, processed: 0 });
    await completeIfLast(importId, actor);
    return;
  }
  await store.markChunkRunning(importId, chunk);
  const done = await store.doneRows(importId, chunk);
  const todo = parsed.data.filter((row) => !done.has(row.row));
  for (let start = 0, slice = 1; start < todo.length; start += ROW_CONCURRENCY, slice++) {
    await Promise.all(todo.slice(start, start + ROW_CONCURRENCY).map((row) => importRow(context, row)));
    // Every row before this point is done, by us or another delivery: `processed` can move there.
    if (slice % PROGRESS_EVERY_SLICES === 0) {
      await store.setChunkProcessed(importId, chunk, done.size + start + ROW_CONCURRENCY);
    }
  }
  const outcomes = await store.doneRows(importId, chunk);
  await store.finishChunk(importId, chunk, {
    status: 'done',
    counts: countOutcomes(outcomes),
    processed: outcomes.size,
  });
  await completeIfLast(importId, actor);
};
