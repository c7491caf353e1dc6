import * as z from 'zod';
import { Cursor, Limit, Ulid } from '#shared/schemas/common';
import {
  CreateTemplateRequest,
  RenderedTemplate,
  RenderTemplateRequest,
  Template,
  TemplateSummary,
  UpdateTemplateRequest,
} from '#shared/schemas/template';
import { IdempotencyKeyHeader, IfMatchHeader } from './customers.ts';
import { defineOperation, ETagHeader, errorResponses, JSON_BODY } from './operation.ts';

/** The e-mail templates API contract, served by the templatesApi function. */

export const TemplatePath = z.strictObject({ id: Ulid.meta({ description: 'Template id (ULID)' }) });

const TemplateResponse = (description: string, extraHeaders: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.strictObject({ ETag: ETagHeader, ...extraHeaders }),
  content: { 'application/json': { schema: Template } },
});

export const TemplatePage = z
  .strictObject({
    items: z.array(TemplateSummary).max(100),
    nextCursor: Cursor.nullable().meta({
      description: 'Pass as `cursor` for the next page; null on the last',
    }),
  })
  .meta({ id: 'TemplatePage' });

const PATCH_BODY = ['application/merge-patch+json', 'application/json'] as const;
const WHO = 'Admins, managers and marketing only (other roles get 403).';
const LIQUID =
  'Subject, HTML and text are Liquid templates over the documented variables (`customer.firstName`, ' +
  '`customer.customFields.<key>`, `campaign.name`, `unsubscribeUrl`…; see the README). They are parsed on ' +
  'write: a syntax error or an unknown variable is a 400 naming the field, line and column. `include`, ' +
  '`render`, `layout` and the `raw` filter are not available; HTML output is escaped.';

export const createTemplate = defineOperation({
  operationId: 'createTemplate',
  method: 'POST',
  path: '/templates',
  function: 'templatesApi',
  auth: 'jwt',
  tag: 'Templates',
  summary: 'Create an e-mail template',
  description: `${WHO} ${LIQUID}`,
  request: {
    headers: z.strictObject({ 'Idempotency-Key': IdempotencyKeyHeader.optional() }),
    body: { schema: CreateTemplateRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '201': TemplateResponse('Created', {
      Location: z
        .string()
        .max(40)
        .regex(/^\/templates\/[0-9A-HJKMNP-TV-Z]{26}$/)
        .meta({ description: 'Path of the new template' }),
    }),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

export const getTemplate = defineOperation({
  operationId: 'getTemplate',
  method: 'GET',
  path: '/templates/{id}',
  function: 'templatesApi',
  auth: 'jwt',
  tag: 'Templates',
  summary: 'Read a template',
  description: WHO,
  request: { path: TemplatePath },
  responses: { '200': TemplateResponse('The template'), ...errorResponses(400, 401, 403, 404) },
});

export const listTemplates = defineOperation({
  operationId: 'listTemplates',
  method: 'GET',
  path: '/templates',
  function: 'templatesApi',
  auth: 'jwt',
  tag: 'Templates',
  summary: 'List templates, newest first',
  description: `${WHO} Items are summaries (no bodies): read one template for its subject, HTML and text.`,
  request: { query: z.strictObject({ limit: Limit.optional(), cursor: Cursor.optional() }) },
  responses: {
    '200': { description: 'A page of templates', content: { 'application/json': { schema: TemplatePage } } },
    ...errorResponses(400, 401, 403),
  },
});

export const updateTemplate = defineOperation({
  operationId: 'updateTemplate',
  method: 'PATCH',
  path: '/templates/{id}',
  function: 'templatesApi',
  auth: 'jwt',
  tag: 'Templates',
  summary: 'Change a template (JSON merge patch)',
  description: `${WHO} Absent fields stay as they are. Send the ETag in If-Match to change only the version you read (412 otherwise). ${LIQUID}`,
  request: {
    path: TemplatePath,
    headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }),
    body: { schema: UpdateTemplateRequest, contentTypes: PATCH_BODY },
  },
  responses: {
    '200': TemplateResponse('The changed template'),
    ...errorResponses(400, 401, 403, 404, 409, 412, 415),
  },
});

export const deleteTemplate = defineOperation({
  operationId: 'deleteTemplate',
  method: 'DELETE',
  path: '/templates/{id}',
  function: 'templatesApi',
  auth: 'jwt',
  tag: 'Templates',
  summary: 'Delete a template',
  description:
    `${WHO} Send the ETag in If-Match to delete only the version you read. A template in use cannot be ` +
    'deleted: while a draft, scheduled or sending campaign, or an automated e-mail configuration (enabled or ' +
    'not), names it, the answer is a 409 whose `usedBy` lists them (the first 10). Point them at another ' +
    'template, or cancel or delete the campaigns, first; sent and cancelled campaigns do not hold it.',
  request: { path: TemplatePath, headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }) },
  responses: { '204': { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 409, 412) },
});

export const renderTemplate = defineOperation({
  operationId: 'renderTemplate',
  method: 'POST',
  path: '/templates/{id}/render',
  function: 'templatesApi',
  auth: 'jwt',
  tag: 'Templates',
  summary: 'Preview a template for a customer',
  description:
    `${WHO} Renders subject, HTML and text as the customer would get them, footer (unsubscribe link and postal ` +
    'address) included; without `customerId`, for a built-in sample customer. A merged customer id renders for ' +
    "the survivor. The preview's unsubscribe link is a placeholder that unsubscribes no one. Nothing is sent. " +
    'A customer that does not exist, or a render over its time, memory or size limits, is a 422 naming the field.',
  request: {
    path: TemplatePath,
    body: { schema: RenderTemplateRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '200': {
      description: 'The rendered message',
      content: { 'application/json': { schema: RenderedTemplate } },
    },
    ...errorResponses(400, 401, 403, 404, 415, 422),
  },
});

export const templateOperations = [
  createTemplate,
  listTemplates,
  getTemplate,
  updateTemplate,
  deleteTemplate,
  renderTemplate,
] as const;
