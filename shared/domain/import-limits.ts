/**
 * The limits of one customer import, in one place (API contract, parser, chunking, CLI).
 *
 * Why these numbers: a synchronous Lambda invocation carries at most 6 MB (6,291,456 bytes) of
 * event. API Gateway HTTP APIs pass `text/*` bodies as text but base64-encode every other media
 * type, `application/x-ndjson` included (4/3 larger), so NDJSON gets a smaller byte limit that still
 * fits once encoded, with room for the rest of the event.
 */
export const IMPORT_LIMITS = {
  rows: 50_000,
  bytes: { 'text/csv': 5_000_000, 'application/x-ndjson': 4_500_000 },
  /** Rows per chunk, and the serialized size a chunk stays under (DynamoDB items: 400 KB). */
  chunkRows: 1_000,
  chunkBytes: 300_000,
  /** Job + chunk items are written in one transaction (at most 100 items). */
  maxChunks: 99,
  /** Skipped rows listed by GET /imports/{id} (the count is always complete). */
  skippedRowsShown: 100,
} as const;

export const IMPORT_CONTENT_TYPES = ['text/csv', 'application/x-ndjson'] as const;
export type ImportContentType = (typeof IMPORT_CONTENT_TYPES)[number];
