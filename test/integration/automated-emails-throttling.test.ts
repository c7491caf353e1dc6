import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '#functions/scheduled/automated-emails';
import { scheduledEvent } from '#local/scheduled-functions';
import { ensureTable } from '#local/table';
import { documentClient } from '#shared/clients/dynamodb';
import { ses } from '#shared/clients/ses';
import { SendPace } from '#shared/email/send-pace';
import { sendAutomatedEmails } from '#shared/use-cases/automated-emails';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';

/** SES throttling on the automated e-mails: a throttled message waits and goes once; nobody twice. */
const sesMock = mockClient(ses as unknown as SESClient);
const marketing = asUser('marketing');
const throttled = () => Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
const noWait = { now: () => 0, sleep: async () => {} };

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
  const template = await marketing.request('POST /templates', {
    body: { name: 'B', subject: 'Happy birthday', html: '<p>Hi</p>', text: 'Hi' },
  });
  const put = await marketing.request('PUT /automations/{kind}', {
    pathParameters: { kind: 'birthday' },
    body: { templateId: template.body.id, enabled: true },
  });
  expect(put.status).toBe(200);
});
beforeEach(() => sesMock.reset());
afterAll(() => sesMock.restore());

const birthdayPerson = async (birthday: string) => {
  const created = await marketing.create({
    name: 'Theo Throttled',
    emails: [{ address: `theo-${Date.now()}@example.com` }],
    birthday,
    consent: { email: { status: 'granted', source: 'signup-form' } },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
};

const ledger = async (customerId: string, kind: string) =>
  (
    await documentClient.send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: { pk: `CUSTOMER#${customerId}`, sk: `EMAIL#${kind}` },
      }),
    )
  ).Item;

describe('automated e-mails under SES throttling', () => {
  it('retries a throttled send with backoff until SES takes it, and a re-run sends nothing', async () => {
    const id = await birthdayPerson('1980-04-01');
    sesMock
      .on(SendRawEmailCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ MessageId: 'ses-message-1' });
    const waits: number[] = [];
    const options = {
      pace: new SendPace(1000, noWait),
      backoff: { sleep: async (ms: number) => void waits.push(ms) },
    };

    const first = await sendAutomatedEmails('2027-04-01T09:00:00.000Z', 'event-1', options);
    expect(first).toMatchObject({ sent: 1, failed: 0 });
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(await ledger(id, 'birthday-2027')).toMatchObject({ status: 'sent', messageId: 'ses-message-1' });
    const tags = sesMock.commandCalls(SendRawEmailCommand)[0]?.args[0].input.Tags;
    expect(tags).toContainEqual({ Name: 'messageKind', Value: 'birthday' });

    const again = await sendAutomatedEmails('2027-04-01T09:00:00.000Z', 'event-2', options);
    expect(again).toMatchObject({ sent: 0, alreadySent: 1 });
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(3);
  });

  it('throttled past every attempt: the claim is released as failed, the run fails, and its retry sends once', async () => {
    const id = await birthdayPerson('1980-04-02');
    sesMock.on(SendRawEmailCommand).rejects(throttled());
    const options = { pace: new SendPace(1000, noWait), backoff: { attempts: 3, sleep: async () => {} } };
    expect(await sendAutomatedEmails('2027-04-02T09:00:00.000Z', 'event-3', options)).toMatchObject({
      sent: 0,
      failed: 1,
    });
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(3);
    expect(await ledger(id, 'birthday-2027')).toMatchObject({ status: 'failed' });

    // The handler reports a failure to Lambda (here SES refuses outright), whose retry then sends it.
    sesMock.reset();
    sesMock
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    await expect(
      handler(
        scheduledEvent('automatedEmails', new Date('2027-04-02T09:00:00.000Z')),
        lambdaContext('automatedEmails'),
      ),
    ).rejects.toThrow(/1 automated e-mail\(s\) failed on 2027-04-02/);
    sesMock.reset();
    sesMock.on(SendRawEmailCommand).resolves({ MessageId: 'ses-message-2' });
    const retry = await sendAutomatedEmails('2027-04-02T09:00:00.000Z', 'event-4', options);
    expect(retry).toMatchObject({ sent: 1, failed: 0 });
    expect(await sendAutomatedEmails('2027-04-02T09:00:00.000Z', 'event-5', options)).toMatchObject({
      sent: 0,
      alreadySent: 1,
    });
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(1);
    expect(await ledger(id, 'birthday-2027')).toMatchObject({ status: 'sent', messageId: 'ses-message-2' });
  });

  it('never sends again when SES’s answer was lost: the claim stays sending', async () => {
    const id = await birthdayPerson('1980-05-03');
    sesMock
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const options = { pace: new SendPace(1000, noWait) };
    expect(await sendAutomatedEmails('2027-05-03T09:00:00.000Z', 'event-6', options)).toMatchObject({
      failed: 1,
    });
    expect(await ledger(id, 'birthday-2027')).toMatchObject({ status: 'sending' });
    sesMock.reset();
    sesMock.on(SendRawEmailCommand).resolves({ MessageId: 'never' });
    expect(await sendAutomatedEmails('2027-05-03T09:00:00.000Z', 'event-7', options)).toMatchObject({
      sent: 0,
      alreadySent: 1,
    });
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(0);
  });

  it('never sends again when SES took it but the ledger write failed', async () => {
    const id = await birthdayPerson('1980-06-04');
    sesMock.on(SendRawEmailCommand).resolves({ MessageId: 'ses-message-9' });
    const send = documentClient.send.bind(documentClient);
    const failSettle = vi
      .spyOn(documentClient, 'send')
      .mockImplementation(((command: unknown) =>
        command instanceof UpdateCommand && JSON.stringify(command.input).includes('"sent"')
          ? Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
          : send(command as never)) as never);
    const options = { pace: new SendPace(1000, noWait) };
    try {
      expect(await sendAutomatedEmails('2027-06-04T09:00:00.000Z', 'event-8', options)).toMatchObject({
        sent: 1,
      });
    } finally {
      failSettle.mockRestore();
    }
    expect(await ledger(id, 'birthday-2027')).toMatchObject({ status: 'sending' });
    expect(await sendAutomatedEmails('2027-06-04T09:00:00.000Z', 'event-9', options)).toMatchObject({
      sent: 0,
      alreadySent: 1,
    });
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(1);
  });
});
