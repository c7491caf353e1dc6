import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  DynamoDBStreamEvent,
  EventBridgeEvent,
} from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '#events/catalog';
import type { LambdaHandler } from '#local/invoke';
import { mailbox } from '../support/mailbox.ts';
import { type LocalRuntime, startTestRuntime } from '../support/runtime.ts';
import { authHeader } from '../support/tokens.ts';

/**
 * The runtime's wiring, end to end, with small fake handlers (the real ones have their own
 * tests): API → table → stream → outbox publisher → bus → rule → consumer → SES mailbox.
 * The fakes build their SDK clients from the environment, as real handlers do, inside the call:
 * this file imports them before the runtime has set that environment.
 */
let publisherFailures = 0;
const publisherCalls: number[] = [];

const customersApi = async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const body = JSON.parse(event.body ?? '{}') as { email: string; consent: string };
  const id = randomUUID();
  const customer = { id, email: body.email, consent: { email: { status: body.consent } } };
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }),
  );
  await documents.send(
    new PutCommand({
      TableName: process.env.TABLE_NAME,
      Item: {
        pk: `OUTBOX#${id}`,
        sk: 'OUTBOX',
        type: 'outbox',
        detailType: 'customer.created',
        data: { customer },
      },
    }),
  );
  return {
    statusCode: 201,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, groups: event.requestContext.authorizer.jwt.claims['cognito:groups'] }),
  };
};

const outboxPublisher = async (event: DynamoDBStreamEvent) => {
  publisherCalls.push(event.Records.length);
  if (publisherFailures-- > 0) throw new Error('bus unreachable');
  const client = new EventBridgeClient({ endpoint: process.env.EVENTBRIDGE_ENDPOINT });
  const entries = event.Records.map((record) => {
    const image = record.dynamodb?.NewImage;
    const customer = image?.data?.M?.customer?.M;
    return {
      EventBusName: process.env.EVENT_BUS_NAME,
      Source: EVENT_SOURCE,
      DetailType: image?.detailType?.S,
      Detail: JSON.stringify({
        data: {
          customer: {
            email: customer?.email?.S,
            consent: { email: { status: customer?.consent?.M?.email?.M?.status?.S } },
          },
        },
      }),
    };
  });
  await client.send(new PutEventsCommand({ Entries: entries }));
};

const welcomeEmail = async (
  event: EventBridgeEvent<'customer.created', { data: { customer: { email: string } } }>,
) => {
  const ses = new SESClient({ endpoint: process.env.SES_ENDPOINT });
  await ses.send(
    new SendEmailCommand({
      Source: process.env.EMAIL_FROM,
      Destination: { ToAddresses: [event.detail.data.customer.email] },
      Message: { Subject: { Data: 'Welcome!' }, Body: { Text: { Data: 'Hello' } } },
    }),
  );
};

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime({
    handlers: {
      customersApi: customersApi as LambdaHandler,
      outboxPublisher: outboxPublisher as LambdaHandler,
      welcomeEmail: welcomeEmail as LambdaHandler,
    },
  });
});

afterAll(() => runtime?.stop());

beforeEach(() => {
  publisherFailures = 0;
  publisherCalls.length = 0;
});

const createCustomer = async (email: string, consent: 'granted' | 'denied') =>
  fetch(`${runtime.apiUrl}/customers`, {
    method: 'POST',
    headers: { ...(await authHeader('marketing')), 'content-type': 'application/json' },
    body: JSON.stringify({ email, consent }),
  });

describe('local runtime', () => {
  it('runs a request through table, stream, outbox publisher, bus and consumer to the mailbox', async () => {
    const email = `ada-${randomUUID()}@example.com`;
    const response = await createCustomer(email, 'granted');
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ groups: '[marketing]' });

    await runtime.waitForIdle();
    const messages = await mailbox(runtime.sesEndpoint).messagesFor(email);
    expect(messages.map((message) => message.subject)).toEqual(['Welcome!']);
    expect(runtime.bus.events.at(-1)).toMatchObject({
      source: EVENT_SOURCE,
      'detail-type': 'customer.created',
    });
  });

  it('routes by the rules in events/rules.ts: no consent, no welcome e-mail', async () => {
    const email = `bob-${randomUUID()}@example.com`;
    await createCustomer(email, 'denied');
    await runtime.waitForIdle();
    expect(await mailbox(runtime.sesEndpoint).messagesFor(email)).toEqual([]);
    expect(publisherCalls).toEqual([1]);
  });

  it('re-delivers stream records when the outbox publisher fails', async () => {
    publisherFailures = 1;
    const email = `cy-${randomUUID()}@example.com`;
    await createCustomer(email, 'granted');
    await runtime.waitForIdle();
    expect(publisherCalls).toEqual([1, 1]);
    expect(await mailbox(runtime.sesEndpoint).messagesFor(email)).toHaveLength(1);
  });

  it('serves the route table: unknown routes are 404, jwt routes need a token', async () => {
    expect((await fetch(`${runtime.apiUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${runtime.apiUrl}/customers`, { method: 'POST' })).status).toBe(401);
  });

  it('gives handlers the environment they read', () => {
    expect(process.env).toMatchObject({
      TABLE_NAME: runtime.tableName,
      EVENT_BUS_NAME: 'cirrus-crm',
      DYNAMODB_ENDPOINT: runtime.dynamodbEndpoint,
      EVENTBRIDGE_ENDPOINT: runtime.bus.endpoint,
      // The SES events front (local/ses-events.ts), which forwards to the emulator.
      SES_ENDPOINT: runtime.sesEvents.sesEndpoint,
      SES_CONFIGURATION_SET: 'cirrus-crm-local',
      PUBLIC_BASE_URL: runtime.apiUrl,
      AWS_REGION: 'us-east-1',
    });
  });
});
