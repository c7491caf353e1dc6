import * as z from 'zod';
import { IMPORT_CONTENT_TYPES, IMPORT_LIMITS } from '#shared/domain/import-limits';
import { CSV_COLUMNS } from '#shared/domain/import-rows';
import { PROBLEM_CONTENT_TYPE, Problem } from '#shared/http/problem';
import { Ulid } from '#shared/schemas/common';
import { ImportJob } from '#shared/schemas/import';
import { IdempotencyKeyHeader } from './customers.ts';
import { defineOperation, errorResponses } from './operation.ts';

/** The imports API contract (importsApi): start an import, follow its progress. */

const ImportPath = z.strictObject({ id: Ulid.meta({ description: 'Import id (ULID)' }) });

const columns = Object.entries(CSV_COLUMNS)
  .map(([name, meaning]) => `\`${name}\` (${meaning})`)
  .join(', ');

const ImportFile = z
  .string()
  .max(IMPORT_LIMITS.bytes['text/csv'])
  .meta({
    description:
      `CSV (\`text/csv\`, UTF-8, header row, comma-separated, RFC 4180 quoting) with the columns ${columns}; ` +
      'or JSON lines (`application/x-ndjson`): one CreateCustomerRequest object per line. ' +
      `At most ${IMPORT_LIMITS.rows.toLocaleString('en-US')} rows and ` +
      `${IMPORT_LIMITS.bytes['text/csv'].toLocaleString('en-US')} bytes of CSV or ` +
      `${IMPORT_LIMITS.bytes['application/x-ndjson'].toLocaleString('en-US')} bytes of JSON lines.`,
    example:
      'firstName,lastName,email,phone,tags\nAda,Lovelace,ada@example.com,+44 20 7946 0958,vip;engineer\n',
  });

const ImportResponse = (description: string, extraHeaders: Record<string, z.ZodType> = {}) => ({
  description,
  ...(Object.keys(extraHeaders).length > 0 ? { headers: z.strictObject(extraHeaders) } : {}),
  content: { 'application/json': { schema: ImportJob } },
});

export const startImport = defineOperation({
  operationId: 'startImport',
  method: 'POST',
  path: '/imports',
  function: 'importsApi',
  auth: 'jwt',
  tag: 'Imports',
  summary: 'Import customers from a CSV or JSON-lines file',
  description:
    'Each row is cleaned like a POST /customers body. A later row with the e-mail or phone of an earlier ' +
    'row is skipped (`duplicate of row N`); a row whose e-mail or phone belongs to an existing customer ' +
    'updates that customer with its non-empty fields (e-mails, phones and tags are added); any other row ' +
    'creates a customer. Invalid rows are skipped with the field and the reason. The job runs in the ' +
    'background: follow it at the Location. Admins and managers only. A malformed CSV (an unclosed quote, ' +
    'a row with more cells than the header) is a 400 naming the line.',
  request: {
    headers: z.strictObject({ 'Idempotency-Key': IdempotencyKeyHeader.optional() }),
    body: { schema: ImportFile, contentTypes: IMPORT_CONTENT_TYPES, raw: true },
  },
  responses: {
    '202': ImportResponse('Accepted: the job, queued', {
      Location: z
        .string()
        .max(40)
        .regex(/^\/imports\/[0-9A-HJKMNP-TV-Z]{26}$/)
        .meta({ description: 'Where to follow the job' }),
    }),
    '413': {
      description:
        "Over a limit of the import (rows or bytes, named in `detail`), or over API Gateway's 10 MB (its own body)",
      content: {
        [PROBLEM_CONTENT_TYPE]: { schema: Problem },
        'application/json': {
          schema: z
            .strictObject({ message: z.enum(['Request Entity Too Large']) })
            .meta({ description: 'Error body written by API Gateway itself' }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 409, 415, 422),
  },
});

export const getImport = defineOperation({
  operationId: 'getImport',
  method: 'GET',
  path: '/imports/{id}',
  function: 'importsApi',
  auth: 'jwt',
  tag: 'Imports',
  summary: 'Progress of an import',
  description:
    'Status, counts and the first 100 skipped rows (by row number) with the reason; ' +
    '`skippedRowsTruncated` says when more were skipped (the `skipped` count is always complete). ' +
    '`processed` moves as rows finish; created/updated/unchanged/skipped are added per finished chunk ' +
    `(up to ${IMPORT_LIMITS.chunkRows.toLocaleString('en-US')} rows). Kept 30 days. Admins and managers only.`,
  request: { path: ImportPath },
  responses: { '200': ImportResponse('The job'), ...errorResponses(400, 401, 403, 404) },
});

export const importOperations = [startImport, getImport] as const;
