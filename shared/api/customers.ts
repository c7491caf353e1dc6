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

export const CustomerMoved = z
  .strictObject({ customerId: Ulid, mergedInto: Ulid })
  .meta({ id: 'CustomerMoved', description: 'The id was merged into `mergedInto`' });

/** Every operation on one customer: a merged id answers 308 with the same path under the survivor. */
export const movedResponse = {
  '308': {
    description:
      'The customer was merged into another: repeat the request at Location (HTTP clients follow it on their own)',
    headers: z.strictObject({
      Location: z
        .string()
        .max(300)
        .regex(/^\/customers\/[0-9A-HJKMNP-TV-Z]{26}(\/[a-z]+(\/[0-9A-HJKMNP-TV-Z]{26})?)?(\?[\x21-\x7e]*)?$/)
        .meta({ description: 'The same path under the surviving customer' }),
    }),
    content: { 'application/json': { schema: CustomerMoved } },
  },
} as const;

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
    ...errorResponses(400, 401, 403, 404, 409, 415, 422),
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
  responses: {
    '200': CustomerResponse('The customer'),
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404),
  },
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
    ...movedResponse,
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
  responses: {
    '204': { description: 'Deleted' },
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404, 409, 412),
  },
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
    ...movedResponse,
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
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404),
  },
});

export const MergeRequest = z
  .strictObject({ sourceId: Ulid.meta({ description: 'The duplicate to fold into this customer' }) })
  .meta({ id: 'MergeRequest' });

export const mergeCustomer = defineOperation({
  operationId: 'mergeCustomer',
  method: 'POST',
  path: '/customers/{id}/merge',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'Merge a duplicate into this customer',
  description:
    'Folds `sourceId` into this customer, which keeps its id: its values win, the source fills what it lacks, ' +
    'e-mails, phones, tags, addresses and interests are united, consent per channel keeps the latest decision, ' +
    'purchase aggregates are added up, and every timeline entry and sent-e-mail record moves over. The source ' +
    'id then answers 308 to this customer. A union over a limit (e.g. more than 5 e-mail addresses) is a 409 ' +
    'naming the field: nothing is dropped. Repeating a merge that was done returns the customer. Emits ' +
    '`customer.merged`. Whoever may edit both customers may merge them.',
  request: { path: CustomerPath, body: { schema: MergeRequest, contentTypes: JSON_BODY } },
  responses: {
    '200': CustomerResponse('The merged customer'),
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404, 409, 415),
  },
});

export const ErasureReceipt = z
  .strictObject({ customerId: Ulid, erasedAt: Timestamp, erasedBy: UserId })
  .meta({ id: 'ErasureReceipt', description: 'What is kept of an erased customer: no personal data' });

export const eraseCustomer = defineOperation({
  operationId: 'eraseCustomer',
  method: 'POST',
  path: '/customers/{id}/erase',
  function: 'customersApi',
  auth: 'jwt',
  tag: 'Customers',
  summary: 'Erase everything held about a person (GDPR right to erasure)',
  description:
    'Deletes the profile, every timeline entry, sent-e-mail record, tag, uniqueness guard, order guard and ' +
    'index entry of the person, the ids merged into them, and the not yet expired events carrying their ' +
    'data; keeps only a receipt (id, when, who). Idempotent: erasing again returns the same receipt. The id ' +
    'then answers 404. Emits `customer.erased` (ids only). Admins and managers only.',
  request: { path: CustomerPath },
  responses: {
    '200': {
      description: 'Erased (now or before)',
      content: { 'application/json': { schema: ErasureReceipt } },
    },
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404, 409),
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
  mergeCustomer,
  eraseCustomer,
] as const;
