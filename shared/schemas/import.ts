import * as z from 'zod';
import { Timestamp, Ulid, UserId } from './common.ts';
import { CreateCustomerRequest } from './customer.ts';

/** Import job schemas: the API's view of a job, and a stored row as the worker reads it back. */

const Count = z.int().min(0).max(50_000).meta({ format: 'int32' });

export const ImportStatus = z
  .enum(['queued', 'running', 'completed', 'failed'])
  .meta({ id: 'ImportStatus', description: 'failed: at least one chunk could not be read; the rest ran' });

export const SkippedRow = z
  .strictObject({
    row: z
      .int()
      .min(1)
      .max(50_000)
      .meta({ format: 'int32', description: 'Record number, header not counted' }),
    reason: z.string().max(1000).meta({ example: 'email: Invalid email address' }),
  })
  .meta({ id: 'SkippedRow' });

export const ImportJob = z
  .strictObject({
    id: Ulid,
    status: ImportStatus,
    format: z.enum(['text/csv', 'application/x-ndjson']),
    total: Count.meta({ description: 'Rows in the file' }),
    processed: Count.meta({ description: 'Rows done so far (moves within a chunk)' }),
    created: Count.meta({ description: 'New customers (counted per finished chunk, as are the next three)' }),
    updated: Count.meta({ description: 'Existing customers (same e-mail or phone) changed by a row' }),
    unchanged: Count.meta({ description: 'Existing customers the row had nothing new for' }),
    skipped: Count,
    skippedRows: z.array(SkippedRow).max(100).meta({ description: 'The first 100 skipped rows, by row' }),
    skippedRowsTruncated: z.boolean().meta({ description: 'More rows were skipped than listed' }),
    createdAt: Timestamp,
    createdBy: UserId,
    completedAt: Timestamp.optional(),
  })
  .meta({ id: 'ImportJob' });
export type ImportJob = z.infer<typeof ImportJob>;

/** A row as stored in a chunk: re-checked by the worker, which must not trust storage blindly. */
export const StoredImportRow = z.union([
  z.strictObject({ row: z.int().min(1), request: CreateCustomerRequest }),
  z.strictObject({ row: z.int().min(1), skip: z.string().max(1000) }),
]);
