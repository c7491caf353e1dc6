import * as z from 'zod';
import { searchKey } from '#shared/domain/contact-normalization';
import { Cursor, Limit, singleLine, Ulid } from '#shared/schemas/common';
import { Company, CreateCompanyRequest, DomainName, UpdateCompanyRequest } from '#shared/schemas/company';
import { CustomerPage, IdempotencyKeyHeader, IfMatchHeader } from './customers.ts';
import { defineOperation, ETagHeader, errorResponses, JSON_BODY } from './operation.ts';

/** The companies API contract: one operation per route, served by the companiesApi function. */

export const CompanyPath = z.strictObject({ id: Ulid.meta({ description: 'Company id (ULID)' }) });

const CompanyResponse = (description: string, extraHeaders: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.strictObject({ ETag: ETagHeader, ...extraHeaders }),
  content: { 'application/json': { schema: Company } },
});

export const CompanyPage = z
  .strictObject({
    items: z.array(Company).max(100),
    nextCursor: Cursor.nullable().meta({
      description: 'Pass as `cursor` for the next page; null on the last',
    }),
  })
  .meta({ id: 'CompanyPage' });

const PATCH_BODY = ['application/merge-patch+json', 'application/json'] as const;
const WHO_EDITS = 'Admins and managers edit every company, sales reps the companies they own.';

export const createCompany = defineOperation({
  operationId: 'createCompany',
  method: 'POST',
  path: '/companies',
  function: 'companiesApi',
  auth: 'jwt',
  tag: 'Companies',
  summary: 'Create a company',
  description:
    'Domains are unique across companies (compared lower-case, without `www.`): a second company with the same ' +
    'domain gets 409 with `existingId`. Admins, managers and sales may create companies.',
  request: {
    headers: z.strictObject({ 'Idempotency-Key': IdempotencyKeyHeader.optional() }),
    body: { schema: CreateCompanyRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '201': CompanyResponse('Created', {
      Location: z
        .string()
        .max(40)
        .regex(/^\/companies\/[0-9A-HJKMNP-TV-Z]{26}$/)
        .meta({ description: 'Path of the new company' }),
    }),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

export const getCompany = defineOperation({
  operationId: 'getCompany',
  method: 'GET',
  path: '/companies/{id}',
  function: 'companiesApi',
  auth: 'jwt',
  tag: 'Companies',
  summary: 'Read a company',
  description: 'Every role may read every company. The ETag header carries the version for If-Match.',
  request: { path: CompanyPath },
  responses: { '200': CompanyResponse('The company'), ...errorResponses(400, 401, 403, 404) },
});

export const updateCompany = defineOperation({
  operationId: 'updateCompany',
  method: 'PATCH',
  path: '/companies/{id}',
  function: 'companiesApi',
  auth: 'jwt',
  tag: 'Companies',
  summary: 'Change a company (JSON merge patch)',
  description:
    'Absent fields stay as they are, `null` clears a field, arrays and objects are replaced whole. Send the ETag ' +
    `in If-Match to change only the version you read (412 otherwise). ${WHO_EDITS} Only admins and managers ` +
    'may change the owner. A domain another company holds is a 409 with `existingId`.',
  request: {
    path: CompanyPath,
    headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }),
    body: { schema: UpdateCompanyRequest, contentTypes: PATCH_BODY },
  },
  responses: {
    '200': CompanyResponse('The changed company'),
    ...errorResponses(400, 401, 403, 404, 409, 412, 415),
  },
});

export const deleteCompany = defineOperation({
  operationId: 'deleteCompany',
  method: 'DELETE',
  path: '/companies/{id}',
  function: 'companiesApi',
  auth: 'jwt',
  tag: 'Companies',
  summary: 'Delete a company',
  description:
    'Admins and managers only. A company people are still linked to is not deleted: 409 saying how many (set ' +
    'their `companyId` to null first). Send the ETag in If-Match to delete only the version you read.',
  request: { path: CompanyPath, headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }) },
  responses: { '204': { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 409, 412) },
});

export const listCompanies = defineOperation({
  operationId: 'listCompanies',
  method: 'GET',
  path: '/companies',
  function: 'companiesApi',
  auth: 'jwt',
  tag: 'Companies',
  summary: 'List and search companies',
  description:
    '`domain` finds the one company with that domain (exact, through its uniqueness guard); `namePrefix` ' +
    'searches names (accent- and case-insensitive, alphabetical); without either, every company, newest first.',
  request: {
    query: z.strictObject({
      namePrefix: singleLine(100)
        .refine((value) => searchKey(value).length >= 2, 'At least two letters')
        .optional()
        .meta({ description: 'Start of the name, at least two letters', example: 'an' }),
      domain: DomainName.optional(),
      limit: Limit.optional(),
      cursor: Cursor.optional(),
    }),
  },
  responses: {
    '200': { description: 'A page of companies', content: { 'application/json': { schema: CompanyPage } } },
    ...errorResponses(400, 401, 403),
  },
});

export const listCompanyPeople = defineOperation({
  operationId: 'listCompanyPeople',
  method: 'GET',
  path: '/companies/{id}/people',
  function: 'companiesApi',
  auth: 'jwt',
  tag: 'Companies',
  summary: 'People who work for a company',
  description:
    'The customers whose `companyId` is this company (with their `title`), newest first. Every role may ask.',
  request: {
    path: CompanyPath,
    query: z.strictObject({ limit: Limit.optional(), cursor: Cursor.optional() }),
  },
  responses: {
    '200': { description: 'A page of people', content: { 'application/json': { schema: CustomerPage } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export const companyOperations = [
  createCompany,
  listCompanies,
  getCompany,
  updateCompany,
  deleteCompany,
  listCompanyPeople,
] as const;
