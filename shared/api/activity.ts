import * as z from 'zod';
import {
  Interaction,
  LogInteractionRequest,
  Purchase,
  RecordPurchaseRequest,
  TimelineEntry,
  UpdateInteractionRequest,
} from '#shared/schemas/activity';
import { Cursor, Limit, Ulid } from '#shared/schemas/common';
import { CustomerPath, IfMatchHeader, movedResponse } from './customers.ts';
import { defineOperation, ETagHeader, errorResponses, JSON_BODY } from './operation.ts';

/** What happened with a customer: purchases, interactions, the timeline (customerActivityApi). */

export const TimelinePage = z
  .strictObject({
    items: z.array(TimelineEntry).max(100),
    nextCursor: Cursor.nullable().meta({
      description: 'Pass as `cursor` for the next page; null on the last',
    }),
  })
  .meta({ id: 'TimelinePage' });

export const recordPurchase = defineOperation({
  operationId: 'recordPurchase',
  method: 'POST',
  path: '/customers/{id}/purchases',
  function: 'customerActivityApi',
  auth: 'jwt',
  tag: 'Customer activity',
  summary: 'Record a purchase',
  description:
    "Updates the customer's purchase summary (order count, first and last purchase, spend per currency) in " +
    'the same transaction; a first purchase makes a lead or prospect a customer. With `externalOrderId`, ' +
    'recording the same order again answers 200 with the first purchase. When items are given, items minus ' +
    'discount must equal amount. Admins, managers, marketing, and sales reps for the customers they own.',
  request: { path: CustomerPath, body: { schema: RecordPurchaseRequest, contentTypes: JSON_BODY } },
  responses: {
    '201': { description: 'Recorded', content: { 'application/json': { schema: Purchase } } },
    '200': {
      description: 'This externalOrderId was already recorded: the first purchase',
      content: { 'application/json': { schema: Purchase } },
    },
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404, 409, 415),
  },
});

export const logInteraction = defineOperation({
  operationId: 'logInteraction',
  method: 'POST',
  path: '/customers/{id}/interactions',
  function: 'customerActivityApi',
  auth: 'jwt',
  tag: 'Customer activity',
  summary: 'Log an interaction (call, e-mail, meeting, note, website visit, social message)',
  description: 'The author is the caller. Everyone but sales reps on customers they do not own may log.',
  request: { path: CustomerPath, body: { schema: LogInteractionRequest, contentTypes: JSON_BODY } },
  responses: {
    '201': { description: 'Logged', content: { 'application/json': { schema: Interaction } } },
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404, 415),
  },
});

export const updateInteraction = defineOperation({
  operationId: 'updateInteraction',
  method: 'PATCH',
  path: '/customers/{id}/interactions/{interactionId}',
  function: 'customerActivityApi',
  auth: 'jwt',
  tag: 'Customer activity',
  summary: 'Correct an interaction',
  description:
    'Changes the type, channel, direction or summary (when it happened stays: it orders the timeline); ' +
    'records who edited it and when, and counts the edits in `revision`. Support, admins and managers may ' +
    'edit any interaction, sales reps those of the customers they own, anyone what they wrote. The ETag is ' +
    'the revision (`"0"` before the first edit): send it in If-Match to change only what you read (412 ' +
    'otherwise). Emits `interaction.updated`.',
  request: {
    path: CustomerPath.extend({ interactionId: Ulid.meta({ description: 'Interaction id (ULID)' }) }),
    headers: z.strictObject({ 'If-Match': IfMatchHeader.optional() }),
    body: {
      schema: UpdateInteractionRequest,
      contentTypes: ['application/merge-patch+json', 'application/json'],
    },
  },
  responses: {
    '200': {
      description: 'The corrected interaction',
      headers: z.strictObject({ ETag: ETagHeader }),
      content: { 'application/json': { schema: Interaction } },
    },
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404, 409, 412, 415),
  },
});

export const getTimeline = defineOperation({
  operationId: 'getTimeline',
  method: 'GET',
  path: '/customers/{id}/timeline',
  function: 'customerActivityApi',
  auth: 'jwt',
  tag: 'Customer activity',
  summary: "A customer's timeline, newest first",
  description:
    'Purchases, interactions and lifecycle changes, each with its `kind`, newest first, one DynamoDB ' +
    'Query per page. Every role may read it.',
  request: {
    path: CustomerPath,
    query: z.strictObject({ limit: Limit.optional(), cursor: Cursor.optional() }),
  },
  responses: {
    '200': {
      description: 'A page of the timeline',
      content: { 'application/json': { schema: TimelinePage } },
    },
    ...movedResponse,
    ...errorResponses(400, 401, 403, 404),
  },
});

export const activityOperations = [recordPurchase, logInteraction, updateInteraction, getTimeline] as const;
