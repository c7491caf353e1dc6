import * as z from 'zod';
import {
  Campaign,
  CampaignTestRequest,
  CampaignTestResult,
  CreateCampaignRequest,
  ScheduleCampaignRequest,
  UpdateCampaignRequest,
} from '#shared/schemas/campaign';
import { Cursor, Limit, Ulid } from '#shared/schemas/common';
import { IdempotencyKeyHeader, IfMatchHeader } from './customers.ts';
import { defineOperation, ETagHeader, errorResponses, JSON_BODY } from './operation.ts';

/** The campaigns API contract (campaignsApi). Admins, managers and marketing only. */

const CampaignPath = z.strictObject({ id: Ulid.meta({ description: 'Campaign id (ULID)' }) });
const IfMatch = z.strictObject({ 'If-Match': IfMatchHeader.optional() });

const CampaignResponse = (description: string, extraHeaders: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.strictObject({ ETag: ETagHeader, ...extraHeaders }),
  content: { 'application/json': { schema: Campaign } },
});

export const CampaignPage = z
  .strictObject({
    items: z.array(Campaign).max(100),
    nextCursor: Cursor.nullable().meta({
      description: 'Pass as `cursor` for the next page; null on the last',
    }),
  })
  .meta({ id: 'CampaignPage' });

const common = { function: 'campaignsApi', auth: 'jwt', tag: 'Campaigns' } as const;
const WHO = 'Admins, managers and marketing.';

export const createCampaign = defineOperation({
  ...common,
  operationId: 'createCampaign',
  method: 'POST',
  path: '/campaigns',
  summary: 'Create a campaign (a draft)',
  description: `A segment (who) and a template (what); schedule it next. ${WHO}`,
  request: {
    headers: z.strictObject({ 'Idempotency-Key': IdempotencyKeyHeader.optional() }),
    body: { schema: CreateCampaignRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '201': CampaignResponse('Created', {
      Location: z
        .string()
        .max(40)
        .regex(/^\/campaigns\/[0-9A-HJKMNP-TV-Z]{26}$/)
        .meta({ description: 'Path of the new campaign' }),
    }),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

export const listCampaigns = defineOperation({
  ...common,
  operationId: 'listCampaigns',
  method: 'GET',
  path: '/campaigns',
  summary: 'List campaigns, newest first',
  description: WHO,
  request: { query: z.strictObject({ limit: Limit.optional(), cursor: Cursor.optional() }) },
  responses: {
    '200': { description: 'A page of campaigns', content: { 'application/json': { schema: CampaignPage } } },
    ...errorResponses(400, 401, 403),
  },
});

export const getCampaign = defineOperation({
  ...common,
  operationId: 'getCampaign',
  method: 'GET',
  path: '/campaigns/{id}',
  summary: 'Read a campaign',
  description: WHO,
  request: { path: CampaignPath },
  responses: { '200': CampaignResponse('The campaign'), ...errorResponses(400, 401, 403, 404) },
});

export const updateCampaign = defineOperation({
  ...common,
  operationId: 'updateCampaign',
  method: 'PATCH',
  path: '/campaigns/{id}',
  summary: 'Change a campaign before it sends',
  description: `Name, segment and template may change while the campaign is a draft or scheduled (409 after). ${WHO}`,
  request: {
    path: CampaignPath,
    headers: IfMatch,
    body: {
      schema: UpdateCampaignRequest,
      contentTypes: ['application/merge-patch+json', 'application/json'],
    },
  },
  responses: {
    '200': CampaignResponse('The changed campaign'),
    ...errorResponses(400, 401, 403, 404, 409, 412, 415, 422),
  },
});

export const deleteCampaign = defineOperation({
  ...common,
  operationId: 'deleteCampaign',
  method: 'DELETE',
  path: '/campaigns/{id}',
  summary: 'Delete a draft, sent or cancelled campaign',
  description: `A scheduled campaign must be cancelled first, a sending one finishes (409). ${WHO}`,
  request: { path: CampaignPath, headers: IfMatch },
  responses: { '204': { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 409, 412) },
});

export const scheduleCampaign = defineOperation({
  ...common,
  operationId: 'scheduleCampaign',
  method: 'POST',
  path: '/campaigns/{id}/schedule',
  summary: 'Schedule (or reschedule) a campaign for a local time in a time zone',
  description:
    'Creates a one-time EventBridge Scheduler schedule in that zone. The time must exist there (the hour the ' +
    'clocks skip in spring is a 422) and be in the future; in the hour repeated in autumn the first one is ' +
    `meant. Scheduling again moves it; allowed until sending starts (409 after). ${WHO}`,
  request: {
    path: CampaignPath,
    headers: IfMatch,
    body: { schema: ScheduleCampaignRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '200': CampaignResponse('The scheduled campaign'),
    ...errorResponses(400, 401, 403, 404, 409, 412, 415, 422),
  },
});

export const cancelCampaign = defineOperation({
  ...common,
  operationId: 'cancelCampaign',
  method: 'POST',
  path: '/campaigns/{id}/cancel',
  summary: 'Cancel a campaign before it sends',
  description: `Drafts and scheduled campaigns only (409 once sending started); its schedule is deleted. ${WHO}`,
  request: { path: CampaignPath, headers: IfMatch },
  responses: {
    '200': CampaignResponse('The cancelled campaign'),
    ...errorResponses(400, 401, 403, 404, 409, 412),
  },
});

export const sendCampaignTest = defineOperation({
  ...common,
  operationId: 'sendCampaignTest',
  method: 'POST',
  path: '/campaigns/{id}/test',
  summary: 'Send a test of the campaign e-mail to given addresses',
  description:
    'Renders the template as `customerId` (or a sample customer) would get it and sends it to up to 5 ' +
    'addresses, subject marked `[Test]`; its unsubscribe link unsubscribes no one and it is not counted in ' +
    `the campaign's results. ${WHO}`,
  request: { path: CampaignPath, body: { schema: CampaignTestRequest, contentTypes: JSON_BODY } },
  responses: {
    '200': { description: 'Sent', content: { 'application/json': { schema: CampaignTestResult } } },
    ...errorResponses(400, 401, 403, 404, 415, 422),
  },
});

export const campaignOperations = [
  createCampaign,
  listCampaigns,
  getCampaign,
  updateCampaign,
  deleteCampaign,
  scheduleCampaign,
  cancelCampaign,
  sendCampaignTest,
] as const;
