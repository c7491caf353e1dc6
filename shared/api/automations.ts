import * as z from 'zod';
import { Automation, AutomationKind, AutomationList, PutAutomationRequest } from '#shared/schemas/automation';
import { IfMatchHeader } from './customers.ts';
import { defineOperation, ETagHeader, errorResponses, JSON_BODY } from './operation.ts';

/** The automated e-mails API contract (birthday, anniversary), served by the automationsApi function. */

export const AutomationPath = z.strictObject({
  kind: AutomationKind.meta({ description: 'Which automated e-mail: `birthday` or `anniversary`' }),
});

const AutomationResponse = (description: string) => ({
  description,
  headers: z.strictObject({ ETag: ETagHeader }),
  content: { 'application/json': { schema: Automation } },
});

const WHO = 'Admins, managers and marketing (as for campaigns); sales and support get 403.';
const WHAT =
  'Every day at 09:00 UTC, each enabled kind is sent with its template to the marketable customers (e-mail ' +
  'consent granted, address not suppressed, both checked again at send time) whose birthday, or first-purchase ' +
  'anniversary (one year or more), is that UTC day; people born on 29 February are greeted on 28 February in ' +
  'other years. Each person gets each kind at most once per year, however often the run repeats.';

export const listAutomations = defineOperation({
  operationId: 'listAutomations',
  method: 'GET',
  path: '/automations',
  function: 'automationsApi',
  auth: 'jwt',
  tag: 'Automations',
  summary: 'The automated e-mails and their configuration',
  description: `Both kinds, configured or not (a kind never configured is disabled, version 0). ${WHAT} ${WHO}`,
  request: { query: z.strictObject({}) },
  responses: {
    '200': { description: 'Every kind', content: { 'application/json': { schema: AutomationList } } },
    ...errorResponses(400, 401, 403),
  },
});

export const getAutomation = defineOperation({
  operationId: 'getAutomation',
  method: 'GET',
  path: '/automations/{kind}',
  function: 'automationsApi',
  auth: 'jwt',
  tag: 'Automations',
  summary: 'One automated e-mail',
  description:
    'A kind never configured answers 200 with the disabled default (`templateId: null`, version 0, ETag "0"), ' +
    `not 404: both kinds always exist. ${WHO}`,
  request: { path: AutomationPath, query: z.strictObject({}) },
  responses: { '200': AutomationResponse('The configuration'), ...errorResponses(400, 401, 403) },
});

export const putAutomation = defineOperation({
  operationId: 'putAutomation',
  method: 'PUT',
  path: '/automations/{kind}',
  function: 'automationsApi',
  auth: 'jwt',
  tag: 'Automations',
  summary: 'Configure an automated e-mail',
  description:
    'Sets the template and switches it on or off. The template must exist (422 naming `templateId`). Send the ' +
    `ETag in If-Match (\`"0"\` for the first configuration) to replace only the version you read (412 otherwise). ${WHO}`,
  request: {
    path: AutomationPath,
    headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }),
    body: { schema: PutAutomationRequest, contentTypes: JSON_BODY },
  },
  responses: {
    '200': AutomationResponse('The new configuration'),
    ...errorResponses(400, 401, 403, 409, 412, 415, 422),
  },
});

export const automationOperations = [listAutomations, getAutomation, putAutomation] as const;
