import * as z from 'zod';
import { CustomFieldSettings, ReplaceCustomFieldsRequest } from '#shared/schemas/custom-fields';
import { IfMatchHeader } from './customers.ts';
import { defineOperation, ETagHeader, errorResponses, JSON_BODY } from './operation.ts';

/** The workspace settings API contract, served by the settingsApi function. */

const SettingsResponse = (description: string) => ({
  description,
  headers: z.strictObject({ ETag: ETagHeader }),
  content: { 'application/json': { schema: CustomFieldSettings } },
});

export const getCustomFields = defineOperation({
  operationId: 'getCustomFields',
  method: 'GET',
  path: '/settings/custom-fields',
  function: 'settingsApi',
  auth: 'jwt',
  tag: 'Settings',
  summary: "The workspace's custom field definitions",
  description: 'Every role may read them. Version 0 (ETag "0") while none was ever defined.',
  // Strict: an unknown query parameter is a 400, as everywhere else.
  request: { query: z.strictObject({}) },
  responses: { '200': SettingsResponse('The definitions'), ...errorResponses(400, 401, 403) },
});

export const replaceCustomFields = defineOperation({
  operationId: 'replaceCustomFields',
  method: 'PUT',
  path: '/settings/custom-fields',
  function: 'settingsApi',
  auth: 'jwt',
  tag: 'Settings',
  summary: 'Replace the custom field definitions',
  description:
    'Admins only. Replaces the whole list; send the ETag in If-Match (`"0"` for the first list) to replace only ' +
    'the version you read (412 otherwise). Values are checked against the definitions when a record is ' +
    'written, never on read: removing or changing a definition leaves stored values as they are.',
  request: {
    headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }),
    body: { schema: ReplaceCustomFieldsRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '200': SettingsResponse('The new definitions'),
    ...errorResponses(400, 401, 403, 409, 412, 415),
  },
});

export const settingsOperations = [getCustomFields, replaceCustomFields] as const;
