import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '#functions/api/customers';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event.ts';

/** The customers handler's edges, with DynamoDB mocked: auth, parsing, and AWS failure paths. */
const ddb = mockClient(DynamoDBDocumentClient);
const invoke = (event: ReturnType<typeof apiEvent>) => handler(event, lambdaContext('customersApi'));
const create = (
  body: unknown,
  headers: Record<string, string> = {},
  claims?: Record<string, string> | null,
) => invoke(apiEvent({ routeKey: 'POST /customers', body, headers, claims }));

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

beforeEach(() => {
  ddb.reset();
  // No custom fields defined: creates read the workspace's definitions first.
  ddb.on(GetCommand, { Key: { pk: 'WORKSPACE', sk: 'CUSTOM_FIELDS' } }).resolves({});
});

describe('customers handler', () => {
  it('answers 401 like the authorizer when no verified claims arrive', async () => {
    const result = await create({ name: 'A' }, {}, null);
    expect(result).toMatchObject({ statusCode: 401 });
    expect(jsonBody(result)).toEqual({ message: 'Unauthorized' });
  });

  it('answers 401 to a token whose subject could not be stored as a user id', async () => {
    const result = await create(
      { name: 'A' },
      {},
      { sub: 'évil user/../x', 'cognito:groups': '[admin]', token_use: 'access' },
    );
    expect(result).toMatchObject({ statusCode: 401 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 401 to an ID token: only access tokens are API credentials', async () => {
    const result = await create(
      { name: 'A' },
      {},
      { sub: 'u1', 'cognito:groups': '[admin]', token_use: 'id' },
    );
    expect(result).toMatchObject({ statusCode: 401 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 403 to a user with no CRM role, and reads roles from the flattened groups claim', async () => {
    const noRole = await create(
      { name: 'A' },
      {},
      { sub: 'u1', 'cognito:groups': '[guests]', token_use: 'access' },
    );
    expect(noRole).toMatchObject({
      statusCode: 403,
      headers: { 'content-type': 'application/problem+json' },
    });
    ddb.on(TransactWriteCommand).resolves({});
    const twoRoles = await create(
      { name: 'A' },
      {},
      { sub: 'u1', 'cognito:groups': '[support sales]', token_use: 'access' },
    );
    expect(twoRoles).toMatchObject({ statusCode: 201 });
  });

  it('rejects malformed JSON, wrong content types and unknown fields with problem details', async () => {
    const malformed = await create('{"name":');
    expect(malformed).toMatchObject({ statusCode: 400 });
    expect(jsonBody(malformed).errors).toEqual([
      { in: 'body', field: '', detail: 'The body is not valid JSON' },
    ]);

    const text = await create('name=A', { 'content-type': 'text/plain' });
    expect(text).toMatchObject({ statusCode: 415 });

    const extra = await create({ name: 'A', ownerRole: 'admin', version: 9 });
    expect(jsonBody(extra)).toMatchObject({ status: 400, type: expect.stringContaining('validation') });
    expect(
      jsonBody(extra)
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['ownerRole', 'version']);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('creates: 201 with ETag, Location and exactly the documented fields', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const result = await create({ name: 'Ada', emails: [{ address: 'ADA@example.com' }] });
    expect(result).toMatchObject({ statusCode: 201, headers: { ETag: '"1"', 'x-ratelimit-limit': '100' } });
    const body = jsonBody(result);
    expect((result as { headers: Record<string, string> }).headers.Location).toBe(`/customers/${body.id}`);
    expect(body.emails).toEqual([{ address: 'ada@example.com', label: 'work' }]);
    expect(body).not.toHaveProperty('pk');
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((i) => i.Put?.Item?.type ?? i.Delete?.Key?.pk)).toEqual([
      'customer',
      'customer-email-guard',
      'customer-email-canonical',
      'outbox',
    ]);
  });

  it('names the customer holding a taken e-mail address (409)', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed', 'None']));
    ddb.on(GetCommand).resolves({ Item: { customerId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R' } });
    const result = await create({ name: 'Ada', emails: [{ address: 'ada@example.com' }] });
    expect(result).toMatchObject({ statusCode: 409 });
    expect(jsonBody(result)).toMatchObject({
      existingId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R',
      errors: [{ in: 'body', field: 'emails.0.address' }],
    });
  });

  it('answers 409 (retryable) when another transaction holds the same items', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None']));
    const result = await create({ name: 'Ada' });
    expect(result).toMatchObject({ statusCode: 409 });
  });

  it('answers 503 with Retry-After when DynamoDB throttles, never 500', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: {},
    });
    ddb.on(TransactWriteCommand).rejects(throttled);
    const result = await create({ name: 'Ada' });
    expect(result).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
  });

  it('answers 500 problem (no stack, request id as instance) on an unexpected failure', async () => {
    ddb.on(GetCommand).rejects(new Error('socket hang up'));
    const result = await invoke(
      apiEvent({ routeKey: 'GET /customers/{id}', pathParameters: { id: '01JDQ3Z7YB8V5X1G6N2K4M9P0R' } }),
    );
    expect(result).toMatchObject({ statusCode: 500 });
    expect(jsonBody(result)).toMatchObject({
      instance: 'req-1',
      detail: 'Something went wrong on our side.',
    });
  });

  it('validates path ids, If-Match and query parameters', async () => {
    const badId = await invoke(
      apiEvent({ routeKey: 'GET /customers/{id}', pathParameters: { id: '../../etc' } }),
    );
    expect(jsonBody(badId).errors).toMatchObject([{ in: 'path', field: 'id' }]);
    const badIfMatch = await invoke(
      apiEvent({
        routeKey: 'DELETE /customers/{id}',
        pathParameters: { id: '01JDQ3Z7YB8V5X1G6N2K4M9P0R' },
        headers: { 'If-Match': 'yesterday' },
      }),
    );
    expect(jsonBody(badIfMatch).errors).toMatchObject([{ in: 'header', field: 'If-Match' }]);
    const badQuery = await invoke(
      apiEvent({ routeKey: 'GET /customers', query: { limit: 'ten', sort: 'name' } }),
    );
    expect(
      jsonBody(badQuery)
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['limit', 'sort']);
  });

  it('refuses a forged cursor before it reaches DynamoDB', async () => {
    const forged = Buffer.from(
      JSON.stringify({ pk: 'CUSTOMER#x', sk: 'PROFILE', gsi1pk: 'OTHER', gsi1sk: 'x' }),
    ).toString('base64url');
    const result = await invoke(apiEvent({ routeKey: 'GET /customers', query: { cursor: forged } }));
    expect(result).toMatchObject({ statusCode: 400 });
    expect(jsonBody(result).errors).toMatchObject([{ in: 'query', field: 'cursor' }]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('clamps limit to 100', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const result = await invoke(apiEvent({ routeKey: 'GET /customers', query: { limit: '5000' } }));
    expect(result).toMatchObject({ statusCode: 200 });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.Limit).toBe(100);
  });

  it('answers 404 for a route it does not serve', async () => {
    const result = await invoke(apiEvent({ routeKey: 'PUT /customers/{id}' }));
    expect(result).toMatchObject({ statusCode: 404 });
  });
});
