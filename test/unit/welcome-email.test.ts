import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Customer } from '#shared/schemas/customer';
import { sendWelcomeEmail } from '#shared/use-cases/welcome-email';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);

const customer: Customer = {
  id: '01JDQ3Z7YB8V5X1G6N2K4M9P0R',
  name: 'Ada <b>Lovelace</b>',
  emails: [{ address: 'ada@example.com', label: 'work' }],
  phones: [],
  tags: [],
  lifecycleStage: 'lead',
  consent: { email: { status: 'granted', source: 'form', at: '2026-11-25T10:00:00.000Z' } },
  customFields: {},
  version: 1,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  createdBy: 'dev-admin',
};

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ddb.on(GetCommand).resolves({ Item: { pk: 'CUSTOMER#x', sk: 'PROFILE', type: 'customer', ...customer } });
});

const rawMessage = () =>
  Buffer.from(ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input.RawMessage?.Data ?? []).toString();

describe('sendWelcomeEmail', () => {
  it('claims the ledger before calling SES and records the message id', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'm-1' });
    expect(await sendWelcomeEmail(customer, 'E1')).toBe('sent');
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).toContain(
      'attribute_not_exists(pk)',
    );
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':status': 'sent',
      ':messageId': 'm-1',
    });
    const raw = rawMessage();
    expect(raw).toContain('To: ada@example.com');
    expect(raw).toContain('Ada');
    expect(raw).not.toContain('<b>Lovelace'); // the first name only, HTML-escaped where used
    // RFC 8058 one-click unsubscribe, and the link in the body.
    const headers = raw.replace(/\r\n[ \t]+/g, ' ');
    expect(headers).toMatch(
      /List-Unsubscribe: <http:\/\/localhost:\d+\/unsubscribe\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}>/,
    );
    expect(headers).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(raw).toContain('Unsubscribe');
    expect(ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input.Tags).toEqual([
      { Name: 'messageKind', Value: 'welcome' },
      { Name: 'customerId', Value: customer.id },
    ]);
  });

  it('does not call SES when the ledger says someone already sent it', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    expect(await sendWelcomeEmail(customer, 'E1')).toBe('already-sent');
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(0);
  });

  it('marks the claim failed and rethrows when SES throttles, so a retry may send', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ses
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));
    await expect(sendWelcomeEmail(customer, 'E1')).rejects.toThrow('Maximum sending rate exceeded.');
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':status': 'failed',
    });
  });

  it('checks consent again at send time: withdrawn or deleted since the event → nothing sent', async () => {
    const withdrawn = {
      ...customer,
      consent: { email: { status: 'denied' as const, source: 'unsubscribe' } },
    };
    ddb.on(GetCommand).resolves({ Item: withdrawn });
    expect(await sendWelcomeEmail(customer, 'E1')).toBe('no-consent');
    ddb.on(GetCommand).resolves({});
    expect(await sendWelcomeEmail(customer, 'E1')).toBe('no-consent');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(0);
  });

  it('sends nothing without consent', async () => {
    const denied = { ...customer, consent: { email: { status: 'denied' as const, source: 'form' } } };
    expect(await sendWelcomeEmail(denied, 'E1')).toBe('no-consent');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});
