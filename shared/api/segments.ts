import * as z from 'zod';
import { SUPPRESSION_REASONS } from '#shared/domain/suppression-reasons';
import { Cursor, Limit, Timestamp, Ulid } from '#shared/schemas/common';
import { EmailAddress } from '#shared/schemas/customer';
import {
  CreateSegmentRequest,
  Segment,
  SegmentPage,
  SegmentPreview,
  UpdateSegmentRequest,
} from '#shared/schemas/segment';
import { IdempotencyKeyHeader, IfMatchHeader } from './customers.ts';
import { defineOperation, ETagHeader, errorResponses, JSON_BODY } from './operation.ts';

/** The segments and suppression-list API contract, served by the segmentsApi function. */

export const SegmentPath = z.strictObject({ id: Ulid.meta({ description: 'Segment id (ULID)' }) });

const SegmentResponse = (description: string, extraHeaders: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.strictObject({ ETag: ETagHeader, ...extraHeaders }),
  content: { 'application/json': { schema: Segment } },
});

const PATCH_BODY = ['application/merge-patch+json', 'application/json'] as const;
const WHO_MANAGES = 'Admins, managers and marketing manage segments; every role may read and preview them.';

export const createSegment = defineOperation({
  operationId: 'createSegment',
  method: 'POST',
  path: '/segments',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Segments',
  summary: 'Create a segment',
  description:
    'A name and a rule (see SegmentRule). Custom-field conditions are checked against the workspace definitions: ' +
    `an unknown key, an order on a text field or a value of the wrong type is a 422 naming the condition. ${WHO_MANAGES}`,
  request: {
    headers: z.strictObject({ 'Idempotency-Key': IdempotencyKeyHeader.optional() }),
    body: { schema: CreateSegmentRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '201': SegmentResponse('Created', {
      Location: z
        .string()
        .max(40)
        .regex(/^\/segments\/[0-9A-HJKMNP-TV-Z]{26}$/)
        .meta({ description: 'Path of the new segment' }),
    }),
    ...errorResponses(400, 401, 403, 409, 415, 422),
  },
});

export const listSegments = defineOperation({
  operationId: 'listSegments',
  method: 'GET',
  path: '/segments',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Segments',
  summary: 'List segments, newest first',
  description: 'Every role may list segments.',
  request: { query: z.strictObject({ limit: Limit.optional(), cursor: Cursor.optional() }) },
  responses: {
    '200': { description: 'A page of segments', content: { 'application/json': { schema: SegmentPage } } },
    ...errorResponses(400, 401, 403),
  },
});

export const getSegment = defineOperation({
  operationId: 'getSegment',
  method: 'GET',
  path: '/segments/{id}',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Segments',
  summary: 'Read a segment',
  description: 'Every role may read every segment. The ETag header carries the version for If-Match.',
  request: { path: SegmentPath },
  responses: { '200': SegmentResponse('The segment'), ...errorResponses(400, 401, 403, 404) },
});

export const updateSegment = defineOperation({
  operationId: 'updateSegment',
  method: 'PATCH',
  path: '/segments/{id}',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Segments',
  summary: 'Change a segment (JSON merge patch)',
  description:
    'Absent fields stay, `description: null` clears it, `rule` replaces the whole rule. Send the ETag in If-Match ' +
    `to change only the version you read (412 otherwise). ${WHO_MANAGES}`,
  request: {
    path: SegmentPath,
    headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }),
    body: { schema: UpdateSegmentRequest, contentTypes: PATCH_BODY },
  },
  responses: {
    '200': SegmentResponse('The changed segment'),
    ...errorResponses(400, 401, 403, 404, 409, 412, 415, 422),
  },
});

export const deleteSegment = defineOperation({
  operationId: 'deleteSegment',
  method: 'DELETE',
  path: '/segments/{id}',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Segments',
  summary: 'Delete a segment',
  description:
    'Send the ETag in If-Match to delete only the version you read. A segment in use cannot be deleted: while ' +
    'a draft, scheduled or sending campaign names it, the answer is a 409 whose `usedBy` lists them (the first ' +
    '10). Point them at another segment, or cancel or delete them, first; sent and cancelled campaigns do not ' +
    `hold it. ${WHO_MANAGES}`,
  request: { path: SegmentPath, headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }) },
  responses: { '204': { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 409, 412) },
});

export const previewSegment = defineOperation({
  operationId: 'previewSegment',
  method: 'POST',
  path: '/segments/{id}/preview',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Segments',
  summary: "Count a segment's audience, with a sample",
  description:
    'Builds the audience as a campaign would: every marketable customer (an e-mail address, e-mail consent ' +
    'granted, primary address not suppressed) matching the rule, read from the sharded marketable index. ' +
    'Returns how many, and up to 10 of them. Every role may preview. Nothing is stored.',
  request: { path: SegmentPath },
  responses: {
    '200': {
      description: 'The count and a sample',
      content: { 'application/json': { schema: SegmentPreview } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const SuppressionReason = z
  .enum(SUPPRESSION_REASONS)
  .meta({ id: 'SuppressionReason', description: 'A hard bounce, a complaint, or added by hand' });

export const Suppression = z
  .strictObject({
    emailHash: z
      .string()
      .length(64)
      .regex(/^[0-9a-f]{64}$/)
      .meta({ description: 'SHA-256 (hex) of the lower-cased address: what the list is keyed by' }),
    email: z.string().max(254).optional().meta({
      format: 'email',
      description: 'The address; absent once its holder was erased (GDPR): the hash keeps them suppressed',
    }),
    reason: SuppressionReason,
    source: z
      .string()
      .max(200)
      .meta({ description: 'Where it came from: `ses`, `api:<userId>`', example: 'ses' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Suppression' });

const SuppressionPage = z
  .strictObject({
    items: z.array(Suppression).max(100),
    nextCursor: Cursor.nullable().meta({
      description: 'Pass as `cursor` for the next page; null on the last',
    }),
  })
  .meta({ id: 'SuppressionPage' });

const WHO_SUPPRESSES = 'Admins, managers and marketing only (the list holds addresses).';

export const listSuppressions = defineOperation({
  operationId: 'listSuppressions',
  method: 'GET',
  path: '/suppressions',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Suppressions',
  summary: 'List suppressed addresses, newest first',
  description: WHO_SUPPRESSES,
  request: { query: z.strictObject({ limit: Limit.optional(), cursor: Cursor.optional() }) },
  responses: {
    '200': {
      description: 'A page of suppressions',
      content: { 'application/json': { schema: SuppressionPage } },
    },
    ...errorResponses(400, 401, 403),
  },
});

export const addSuppression = defineOperation({
  operationId: 'addSuppression',
  method: 'POST',
  path: '/suppressions',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Suppressions',
  summary: 'Suppress an address',
  description:
    'No marketing e-mail goes to the address any more: the customer holding it as primary address leaves the ' +
    'marketable index in the same transaction, and no later write puts them back while it is suppressed. ' +
    `Safe to repeat: an address already suppressed answers 200 with its first entry. ${WHO_SUPPRESSES}`,
  request: {
    body: {
      schema: z
        .strictObject({ email: EmailAddress, reason: SuppressionReason.default('manual') })
        .meta({ id: 'SuppressRequest' }),
      contentTypes: JSON_BODY,
    },
  },
  responses: {
    '201': { description: 'Suppressed', content: { 'application/json': { schema: Suppression } } },
    '200': { description: 'Already suppressed', content: { 'application/json': { schema: Suppression } } },
    ...errorResponses(400, 401, 403, 409, 415),
  },
});

export const removeSuppression = defineOperation({
  operationId: 'removeSuppression',
  method: 'DELETE',
  path: '/suppressions/{email}',
  function: 'segmentsApi',
  auth: 'jwt',
  tag: 'Suppressions',
  summary: 'Lift a suppression',
  description:
    'The address may receive marketing e-mail again; its holder returns to the marketable index when their ' +
    `e-mail consent is granted and it is their primary address. ${WHO_SUPPRESSES}`,
  request: { path: z.strictObject({ email: EmailAddress }) },
  responses: { '204': { description: 'Lifted' }, ...errorResponses(400, 401, 403, 404, 409) },
});

export const segmentOperations = [
  createSegment,
  listSegments,
  getSegment,
  updateSegment,
  deleteSegment,
  previewSegment,
  listSuppressions,
  addSuppression,
  removeSuppression,
] as const;
