import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as companies } from '#functions/api/companies';
import { handler as settings } from '#functions/api/settings';
import { apiEvent, jsonBody, lambdaContext } from '../helpers/api-event.ts';

/** The companies and settings handlers' AWS failure paths, with DynamoDB mocked. */
const ddb = mockClient(DynamoDBDocumentClient);
const id = '01JDQ3Z7YB8V5X1G6N2K4M9C0M';
const stored = {
  pk: `COMPANY#${id}`,
  sk: 'PROFILE',
  type: 'company',
  id,
  name: 'Acme',
  domain: 'acme.example',
  tags: [],
  version: 1,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  createdBy: 'dev-admin',
};

beforeEach(() => ddb.reset());

describe('companies handler', () => {
  it('answers 409 with the count when a person was linked while the delete was under way', async () => {
    ddb.on(GetCommand, { Key: { pk: `COMPANY#${id}`, sk: 'PROFILE' } }).resolves({ Item: stored });
    ddb
      .on(GetCommand, { Key: { pk: `COMPANY#${id}`, sk: 'PEOPLE' } })
      .resolvesOnce({})
      .resolves({ Item: { peopleCount: 1 } });
    // Profile delete, domain guard delete, people counter delete (its condition failed), outbox.
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
        ],
      }),
    );
    const result = await companies(
      apiEvent({ routeKey: 'DELETE /companies/{id}', pathParameters: { id } }),
      lambdaContext('companiesApi'),
    );
    expect(result).toMatchObject({ statusCode: 409 });
    expect(jsonBody(result).detail).toMatch(/^1 person is linked/);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});

describe('settings handler', () => {
  const put = (headers: Record<string, string> = {}) =>
    settings(
      apiEvent({
        routeKey: 'PUT /settings/custom-fields',
        body: { fields: [{ key: 'plan', label: 'Plan', type: 'enum', options: ['free', 'pro'] }] },
        headers,
      }),
      lambdaContext('settingsApi'),
    );

  it('answers 412 when the definitions changed between the read and the conditional write', async () => {
    ddb.on(GetCommand).resolves({ Item: { fields: [], version: 3 } });
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    expect(await put({ 'If-Match': '"3"' })).toMatchObject({ statusCode: 412 });
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: { ':version': 3 },
      Item: { version: 4 },
    });
  });

  it('answers 503 with Retry-After when DynamoDB throttles the read', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ddb.on(GetCommand).rejects(throttled);
    const result = await settings(
      apiEvent({ routeKey: 'GET /settings/custom-fields' }),
      lambdaContext('settingsApi'),
    );
    expect(result).toMatchObject({ statusCode: 503, headers: { 'retry-after': '1' } });
  });
});
