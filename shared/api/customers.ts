import * as z from 'zod';
import { searchKey } from '#shared/domain/contact-normalization';
import { EmailDelivery, TimelineEntry } from '#shared/schemas/activity';
import { Cursor, Limit, singleLine, Timestamp, Ulid, UserId } from '#shared/schemas/common';
import {
  CreateCustomerRequest,
  Customer,
  EmailAddress,
  LifecycleStage,
  PhoneNumberInput,
  Tag,
  UpdateCustomerRequest,
} from '#shared/schemas/customer';
import { defineOperation, ETagHeader, errorResponses, JSON_BODY } from './operation.ts';

/** The customers API contract: one operation per route, served by the customersApi function. */

export const CustomerPath = z.strictObject({ id: Ulid.meta({ description: 'Customer id (ULID)' }) });

export const IdempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'Must be printable ASCII without spaces')
  .meta({ description: 'Makes a retried create safe: a repeat returns the first response' });

export const IfMatchHeader = z
  .string()
  .max(100)
  .regex(/^(\*|(W\/)?"\d{1,10}")$/, 'Must be an ETag such as "3"')
  .meta({ description: 'Only apply the change if the record is still at this version (its ETag)' });

const CustomerResponse = (description: string, extraHeaders: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.strictObject({ ETag: ETagHeader, ...extraHeaders }),
  content: { 'application/json': { schema: Customer } },
});

export const CustomerPage = z
  .strictObject({
    items: z.array(Customer).max(100),
    nextCursor: Cursor.nullable().meta({
      description: 'Pass as `cursor` for the next page; null on the last',
    }),
  })
  .meta({ id: 'CustomerPage' });

const PATCH_BODY = ['application/merge-patch+json', 'application/json'] as const;

export const createCustomer = defineOperation({
  operationId: 'createCustomer',
  method: 'POST',
  path: '/customers',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'Create a customer',
  description:
    'E-mail addresses are unique across customers (compared lower-cased): a second customer with the same ' +
    'address gets 409 with `existingId`. Admins, managers, sales and marketing may create customers. ' +
    '`customFields` must fit the workspace definitions and `companyId` name a company (422 naming the field).',
  request: {
    headers: z.strictObject({ 'Idempotency-Key': IdempotencyKeyHeader.optional() }),
    body: { schema: CreateCustomerRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '201': CustomerResponse('Created', {
      Location: z
        .string()
        .max(40)
        .regex(/^\/customers\/[0-9A-HJKMNP-TV-Z]{26}$/)
        .meta({ description: 'Path of the new customer' }),
    }),
    ...errorResponses(400, 401, 403, 409, 415, 422),
  },
});

export const getCustomer = defineOperation({
  operationId: 'getCustomer',
  method: 'GET',
  path: '/customers/{id}',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'Read a customer',
  description: 'Every role may read every customer. The ETag header carries the version for If-Match.',
  request: { path: CustomerPath },
  responses: { '200': CustomerResponse('The customer'), ...errorResponses(400, 401, 403, 404) },
});

export const updateCustomer = defineOperation({
  operationId: 'updateCustomer',
  method: 'PATCH',
  path: '/customers/{id}',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'Change a customer (JSON merge patch)',
  description:
    'Absent fields stay as they are, `null` clears a field, arrays are replaced whole. Send the ETag in ' +
    'If-Match to change only the version you read (412 otherwise). Sales reps may change only the ' +
    'customers they own; only admins and managers may change the owner. Each custom field set must fit its ' +
    'definition and `companyId` name a company (422 naming the field).',
  request: {
    path: CustomerPath,
    headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }),
    body: { schema: UpdateCustomerRequest, contentTypes: PATCH_BODY },
  },
  responses: {
    '200': CustomerResponse('The changed customer'),
    ...errorResponses(400, 401, 403, 404, 409, 412, 415, 422),
  },
});

export const deleteCustomer = defineOperation({
  operationId: 'deleteCustomer',
  method: 'DELETE',
  path: '/customers/{id}',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'Delete a customer',
  description: 'Admins and managers only. Send the ETag in If-Match to delete only the version you read.',
  request: { path: CustomerPath, headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }) },
  responses: { '204': { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 409, 412) },
});

export const listCustomers = defineOperation({
  operationId: 'listCustomers',
  method: 'GET',
  path: '/customers',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'List and search customers',
  description:
    'Criteria combine. One index serves the query, in this order: `email` or `phone` (exact, through the ' +
    'uniqueness guards), `namePrefix` (accent- and case-insensitive, sorted by name), `company` (exact, ' +
    'accent- and case-insensitive), `tag`, `ownerId`, `lifecycleStage`, else every customer; the other ' +
    'criteria are applied to that page, so a page may hold fewer than `limit` items while `nextCursor` is ' +
    'not null. Newest first, except name searches (alphabetical).',
  request: {
    query: z.strictObject({
      email: EmailAddress.optional(),
      phone: PhoneNumberInput.optional().meta({ description: 'Any usual notation; matched as E.164' }),
      namePrefix: singleLine(100)
        .refine((value) => searchKey(value).length >= 2, 'At least two letters')
        .optional()
        .meta({ description: 'Start of the name, at least two letters', example: 'ad' }),
      company: singleLine(200).optional(),
      lifecycleStage: LifecycleStage.optional(),
      ownerId: UserId.optional(),
      tag: Tag.optional(),
      limit: Limit.optional(),
      cursor: Cursor.optional(),
    }),
  },
  responses: {
    '200': { description: 'A page of customers', content: { 'application/json': { schema: CustomerPage } } },
    ...errorResponses(400, 401, 403),
  },
});

export const CustomerExport = z
  .strictObject({
    exportedAt: Timestamp,
    customer: Customer,
    timeline: z.array(TimelineEntry).max(100_000).meta({ description: 'Newest first' }),
    emailsSent: z.array(EmailDelivery).max(1000),
  })
  .meta({ id: 'CustomerExport', description: 'Everything Cirrus CRM holds about a person' });

export const exportCustomer = defineOperation({
  operationId: 'exportCustomer',
  method: 'GET',
  path: '/customers/{id}/export',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'Export everything held about a person (GDPR access request)',
  description: 'The profile, the whole timeline and the e-mails sent, as JSON. Admins and managers only.',
  request: { path: CustomerPath },
  responses: {
    '200': { description: 'The export', content: { 'application/json': { schema: CustomerExport } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const DuplicateList = z
  .strictObject({
    items: z
      .array(
        z.strictObject({
          customer: Customer,
          reasons: z
            .array(z.enum(['similar-email', 'same-name-and-company']))
            .min(1)
            .max(2),
        }),
      )
      .max(100),
  })
  .meta({ id: 'DuplicateList' });

export const findDuplicates = defineOperation({
  operationId: 'findDuplicates',
  method: 'GET',
  path: '/customers/{id}/duplicates',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'Likely duplicates of a customer, with the reason',
  description:
    '`similar-email`: an address that reaches the same mailbox (dots and +tags ignored, googlemail = gmail); ' +
    '`same-name-and-company`: the same name and company, ignoring case and accents. Phone numbers and exact ' +
    'e-mail addresses are unique, so they cannot be shared. Every role may ask.',
  request: { path: CustomerPath },
  responses: {
    '200': { description: 'Likely duplicates', content: { 'application/json': { schema: DuplicateList } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const customerOperations = [
  createCustomer,
  listCustomers,
  getCustomer,
  updateCustomer,
  deleteCustomer,
  exportCustomer,
  findDuplicates,
] as const;
