import { CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as sender } from '#functions/consumers/campaign-sender';
import { handler as dispatcher } from '#functions/scheduled/campaign-dispatcher';
import { ensureTable } from '#local/table';
import { documentClient } from '#shared/clients/dynamodb';
import { scheduler } from '#shared/clients/scheduler';
import { ses } from '#shared/clients/ses';
import { sqs } from '#shared/clients/sqs';
import { claimSend } from '#shared/data/campaign-sends';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';
import { allItems } from '../helpers/table-items.ts';
import { mailbox } from '../support/mailbox.ts';

/**
 * Campaign sending on DynamoDB Local and the SES emulator: the dispatcher's queue messages are
 * captured (SQS mocked) and handed to the sender as SQS would, including twice and concurrently;
 * SES throttling and refusals are injected with aws-sdk-client-mock in front of the real emulator.
 */
/** Set to make the next unsubscribe token fail as a DynamoDB read would (before SES is called). */
let failNextToken = false;
vi.mock('#shared/use-cases/unsubscribe', async (importOriginal) => {
  const original = await importOriginal<typeof import('#shared/use-cases/unsubscribe')>();
  return {
    ...original,
    unsubscribeTokenFor: async (...args: Parameters<typeof original.unsubscribeTokenFor>) => {
      if (failNextToken) {
        failNextToken = false;
        throw Object.assign(new Error('Could not connect to DynamoDB'), { name: 'TimeoutError' });
      }
      return original.unsubscribeTokenFor(...args);
    },
  };
});

process.env.CAMPAIGN_SEND_QUEUE_URL = 'http://queue.invalid/000000000000/campaignSend';
process.env.SES_MAX_SEND_RATE = '500';

const marketing = asUser('marketing');
const admin = asUser('admin');
const schedulerMock = mockClient(scheduler as unknown as SchedulerClient);
const sqsMock = mockClient(sqs as unknown as SQSClient);
const sesMock = mockClient(ses as unknown as SESClient);
/** An unmocked client to the same emulator: what the mock hands a send on to. */
const realSes = new SESClient({ endpoint: process.env.SES_ENDPOINT });
const passThrough = (input: object) => realSes.send(new SendRawEmailCommand(input as never));
const throttled = () => Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });

const run = Math.random().toString(36).slice(2, 8);
const address = (label: string, i: number) => `${label}-${i}-${run}@sending.example`;

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});
afterEach(() => {
  sqsMock.reset();
  sesMock.reset();
  schedulerMock.reset();
});

const createCustomers = async (label: string, count: number, consent = 'granted') => {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = await admin.create({
      name: `${label} ${i}`,
      emails: [{ address: address(label, i), label: 'work' }],
      tags: [`${label}-${run}`],
      consent: { email: { status: consent, source: 'signup-form' } },
    });
    expect(created.status).toBe(201);
    ids.push(created.body.id);
  }
  return ids;
};

/** Collects what the dispatcher queues (SQS mocked). */
const captureQueue = (bodies: string[]) =>
  sqsMock
    .on(SendMessageBatchCommand)
    .callsFake((input: { Entries: { Id: string; MessageBody: string }[] }) => {
      bodies.push(...input.Entries.map((entry) => entry.MessageBody));
      return { Successful: input.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    });

/**
 * A campaign to everyone tagged `label`, scheduled (Scheduler mocked) and fired: returns the queue
 * messages. `failQueueing`: SQS is left as the test set it, and the dispatch is expected to fail.
 */
const dispatchCampaign = async (label: string, options: { failQueueing?: boolean } = {}) => {
  const segment = await marketing.request('POST /segments', {
    body: { name: `s-${label}`, rule: { field: 'tags', has: 'any', values: [`${label}-${run}`] } },
  });
  const template = await marketing.request('POST /templates', {
    body: { name: 't', subject: 'Hi {{ customer.firstName }}', html: '<p>Hello</p>', text: 'Hello' },
  });
  const campaign = await marketing.request('POST /campaigns', {
    body: { name: `c-${label}`, segmentId: segment.body.id, templateId: template.body.id },
  });
  const id = campaign.body.id as string;
  schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
  const scheduled = await marketing.request('POST /campaigns/{id}/schedule', {
    pathParameters: { id },
    body: { sendAt: '2031-06-01T09:30', timeZone: 'UTC' },
  });
  const bodies: string[] = [];
  if (!options.failQueueing) captureQueue(bodies);
  const fired = dispatcher(
    { campaignId: id, scheduleId: scheduled.body.schedule.scheduleId } as never,
    lambdaContext('campaignDispatcher'),
  );
  if (options.failQueueing) {
    await expect(fired).rejects.toThrow('SQS is unreachable');
    return { id, outcome: undefined, bodies };
  }
  return { id, outcome: await fired, bodies };
};

let delivery = 0;
const sqsEvent = (body: string, receiveCount: number) =>
  ({
    Records: [
      {
        messageId: `m-${++delivery}`,
        receiptHandle: 'r',
        body,
        attributes: { ApproximateReceiveCount: String(receiveCount) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:campaignSend',
        awsRegion: 'us-east-1',
      },
    ],
  }) as unknown as SQSEvent;
const deliver = (body: string, receiveCount = 1) =>
  sender(sqsEvent(body, receiveCount), lambdaContext('campaignSender')) as Promise<{
    batchItemFailures: { itemIdentifier: string }[];
  }>;

const rawOf = (input: { RawMessage?: { Data?: Uint8Array } }) =>
  Buffer.from(input.RawMessage?.Data ?? []).toString();
/** An error SES answered with, as the SDK throws it. */
const sesAnswered = (name: string, httpStatusCode: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
const transactionConflict = () =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
  });
const sendRecordsOf = async (campaignId: string) =>
  (await allItems()).filter((item) => item.type === 'campaign-send' && item.campaignId === campaignId);

const report = async (id: string) =>
  (await marketing.request('GET /campaigns/{id}', { pathParameters: { id } })).body;

describe('campaign sending', () => {
  it('queues the audience once per shard and mails each member exactly once despite duplicate, concurrent deliveries and throttling', async () => {
    const ids = await createCustomers('dup', 40);
    const { id, outcome, bodies } = await dispatchCampaign('dup');
    expect(outcome).toEqual({ started: true, campaignId: id, queued: 40 });
    const queuedIds = bodies.flatMap((body) => JSON.parse(body).recipients as string[]);
    expect(new Set(queuedIds)).toEqual(new Set(ids));
    expect(queuedIds).toHaveLength(40);

    // SES throttles every fourth call; the sender backs off and sends again.
    let calls = 0;
    sesMock.on(SendRawEmailCommand).callsFake((input) => {
      calls++;
      if (calls % 4 === 0) throw throttled();
      return passThrough(input);
    });
    // Every message delivered twice at once, and once more later (SQS is at-least-once).
    await Promise.all(bodies.flatMap((body) => [deliver(body), deliver(body)]));
    await Promise.all(bodies.map((body) => deliver(body, 2)));

    const box = mailbox();
    for (let i = 0; i < 40; i++) expect(await box.messagesFor(address('dup', i))).toHaveLength(1);
    const read = await report(id);
    expect(read.status).toBe('sent');
    expect(read.completedAt).toEqual(expect.any(String));
    expect(read.report.progress).toMatchObject({
      queued: 40,
      queueComplete: true,
      sent: 40,
      failed: 0,
      skipped: 0,
    });
    expect(calls).toBeGreaterThanOrEqual(40 + 10);
  }, 60_000);

  it('checks consent, suppression and existence at send time, with the reason counted', async () => {
    const ids = await createCustomers('late', 5);
    // The second is suppressed below, by address.
    const { id, bodies } = await dispatchCampaign('late');
    const [withdrawn, , erased] = ids as [string, string, string];
    await admin.request('PATCH /customers/{id}', {
      pathParameters: { id: withdrawn },
      body: { consent: { email: { status: 'denied', source: 'preferences' } } },
    });
    await admin.request('POST /suppressions', { body: { email: address('late', 1), reason: 'manual' } });
    await admin.request('POST /customers/{id}/erase', { pathParameters: { id: erased } });
    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    for (const body of bodies) await deliver(body);

    const box = mailbox();
    for (const i of [0, 1, 2]) expect(await box.messagesFor(address('late', i))).toHaveLength(0);
    for (const i of [3, 4]) expect(await box.messagesFor(address('late', i))).toHaveLength(1);
    const read = await report(id);
    expect(read.report.progress).toEqual({
      queued: 5,
      queueComplete: true,
      sent: 2,
      failed: 0,
      skipped: 3,
      skippedByReason: { 'no-consent': 1, suppressed: 1, 'no-email': 0, gone: 1 },
    });
    expect(read.status).toBe('sent');
  });

  it('gives the claim back when SES did not take the message, so the redelivery sends; a rejected message is failed for good', async () => {
    const [rejected] = await createCustomers('flaky', 2);
    const { id, bodies } = await dispatchCampaign('flaky');
    sesMock.on(SendRawEmailCommand).callsFake(async (input) => {
      if (rawOf(input).includes(rejected as string)) {
        throw Object.assign(new Error('Illegal address'), { name: 'MessageRejected' });
      }
      throw sesAnswered('ServiceUnavailable', 503);
    });
    const first = await Promise.all(bodies.map((body) => deliver(body)));
    expect(first.flatMap((result) => result.batchItemFailures)).toHaveLength(1);
    expect((await report(id)).status).toBe('sending');

    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    const second = await Promise.all(bodies.map((body) => deliver(body, 2)));
    expect(second.flatMap((result) => result.batchItemFailures)).toHaveLength(0);
    const read = await report(id);
    expect(read.report.progress).toMatchObject({ queued: 2, sent: 1, failed: 1, skipped: 0 });
    expect(read.status).toBe('sent');
    expect((await sendRecordsOf(id)).map((item) => item.status).sort()).toEqual(['failed', 'sent']);
    expect(await mailbox().messagesFor(address('flaky', 0))).toHaveLength(0);
    expect(await mailbox().messagesFor(address('flaky', 1))).toHaveLength(1);
  });

  it('never sends again when SES’s answer was lost, and fails what SQS will not bring back', async () => {
    const [lost, paused] = (await createCustomers('lost', 2)) as [string, string];
    const { id, bodies } = await dispatchCampaign('lost');
    sesMock.on(SendRawEmailCommand).callsFake(async (input) => {
      // The request went out and no answer came back: SES may have sent it.
      if (rawOf(input).includes(lost))
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      throw sesAnswered('AccountSendingPausedException', 400);
    });
    // The fifth and last delivery of the message (the queue's maxReceiveCount).
    const results = await Promise.all(bodies.map((body) => deliver(body, 5)));
    expect(results.flatMap((result) => result.batchItemFailures)).toHaveLength(0);
    const records = await sendRecordsOf(id);
    expect(records.find((item) => item.customerId === lost)).toMatchObject({
      status: 'failed',
      failure: 'outcome-unknown',
    });
    expect(records.find((item) => item.customerId === paused)).toMatchObject({
      status: 'failed',
      failure: 'AccountSendingPausedException',
    });
    const read = await report(id);
    expect(read.report.progress).toMatchObject({ queued: 2, sent: 0, failed: 2 });
    expect(read.status).toBe('sent');

    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    await Promise.all(bodies.map((body) => deliver(body, 1)));
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(2);
  });

  it('keeps a sent message counted once when its counter transaction loses races, and never sends it again', async () => {
    await createCustomers('race', 3);
    const { id, bodies } = await dispatchCampaign('race');
    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    const send = documentClient.send.bind(documentClient);
    let conflicts = 0;
    vi.spyOn(documentClient, 'send').mockImplementation(((command: unknown) => {
      const settlesSent =
        command instanceof TransactWriteCommand &&
        JSON.stringify(command.input).includes('"sent"') &&
        conflicts++ % 2 === 0;
      return settlesSent ? Promise.reject(transactionConflict()) : send(command as never);
    }) as never);
    try {
      const results = await Promise.all(bodies.map((body) => deliver(body)));
      expect(results.flatMap((result) => result.batchItemFailures)).toHaveLength(0);
    } finally {
      vi.restoreAllMocks();
    }
    expect(conflicts).toBeGreaterThanOrEqual(3);
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(3);
    const read = await report(id);
    expect(read.report.progress).toMatchObject({ queued: 3, sent: 3, failed: 0 });
    expect(read.status).toBe('sent');
  });

  it('gives the rest of a message back when the invocation runs out of time', async () => {
    await createCustomers('late-run', 3);
    const { id, bodies } = await dispatchCampaign('late-run');
    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    const almostOver = { ...lambdaContext('campaignSender'), getRemainingTimeInMillis: () => 1_000 };
    const results = (await Promise.all(bodies.map((body) => sender(sqsEvent(body, 1), almostOver)))) as {
      batchItemFailures: unknown[];
    }[];
    expect(results.flatMap((result) => result.batchItemFailures)).toHaveLength(bodies.length);
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(0);
    expect(await sendRecordsOf(id)).toHaveLength(0);

    await Promise.all(bodies.map((body) => deliver(body, 2)));
    expect((await report(id)).report.progress).toMatchObject({ queued: 3, sent: 3 });
  });

  it('gives the claim back when the message fails before SES is called, so the redelivery sends', async () => {
    await createCustomers('before-ses', 1);
    const { id, bodies } = await dispatchCampaign('before-ses');
    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    failNextToken = true;
    const first = await Promise.all(bodies.map((body) => deliver(body)));
    expect(first.flatMap((result) => result.batchItemFailures)).toHaveLength(1);
    expect(await sendRecordsOf(id)).toHaveLength(0);
    await Promise.all(bodies.map((body) => deliver(body, 2)));
    expect((await report(id)).report.progress).toMatchObject({ queued: 1, sent: 1, failed: 0 });
    expect(await mailbox().messagesFor(address('before-ses', 0))).toHaveLength(1);
  });

  it('fails a claim whose sender died before SES answered, without mailing that person, and waits for a live one', async () => {
    const [abandoned, inFlight, free, withdrawn] = (await createCustomers('dead', 4)) as [
      string,
      string,
      string,
      string,
    ];
    const { id, bodies } = await dispatchCampaign('dead');
    // Senders died after their claims ten minutes ago (one of those people has withdrawn consent
    // since); another sender claimed a moment ago and is mid-send.
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    expect(await claimSend(id, abandoned, tenMinutesAgo)).toBe(true);
    expect(await claimSend(id, withdrawn, tenMinutesAgo)).toBe(true);
    expect(await claimSend(id, inFlight, new Date().toISOString())).toBe(true);
    await admin.request('PATCH /customers/{id}', {
      pathParameters: { id: withdrawn },
      body: { consent: { email: { status: 'denied', source: 'preferences' } } },
    });
    sesMock.on(SendRawEmailCommand).callsFake(passThrough);

    const first = await Promise.all(bodies.map((body) => deliver(body)));
    // The live claim's message comes back later, to see it settled.
    expect(first.flatMap((result) => result.batchItemFailures)).toHaveLength(1);
    const box = mailbox();
    expect(await box.messagesFor(address('dead', 0))).toHaveLength(0);
    expect(await box.messagesFor(address('dead', 1))).toHaveLength(0);
    expect(await box.messagesFor(address('dead', 2))).toHaveLength(1);
    expect(await box.messagesFor(address('dead', 3))).toHaveLength(0);
    const statusOf = async (customerId: string) =>
      (await allItems()).find(
        (item) => item.type === 'campaign-send' && item.campaignId === id && item.customerId === customerId,
      );
    expect(await statusOf(abandoned)).toMatchObject({ status: 'failed', failure: 'outcome-unknown' });
    expect(await statusOf(withdrawn)).toMatchObject({ status: 'failed', failure: 'outcome-unknown' });
    expect(await statusOf(inFlight)).toMatchObject({ status: 'sending' });
    expect(await statusOf(free)).toMatchObject({ status: 'sent' });
    let read = await report(id);
    expect(read.status).toBe('sending');
    expect(read.report.progress).toMatchObject({ queued: 4, sent: 1, failed: 2, skipped: 0 });

    // The second holder dies too: by the redelivery its claim has outlived any sender.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 10 * 60_000);
    const redelivered = await Promise.all(bodies.map((body) => deliver(body, 2)));
    vi.useRealTimers();
    expect(redelivered.flatMap((result) => result.batchItemFailures)).toHaveLength(0);
    expect(await box.messagesFor(address('dead', 1))).toHaveLength(0);
    expect(await box.messagesFor(address('dead', 2))).toHaveLength(1);
    read = await report(id);
    expect(read.report.progress).toMatchObject({ queued: 4, sent: 1, failed: 3, skipped: 0 });
    expect(read.status).toBe('sent');
  });

  it('resumes a dispatch that died half-way, and a repeated schedule then queues nothing more', async () => {
    const ids = await createCustomers('resume', 20);
    let batchCalls = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake(() => {
      batchCalls++;
      throw new Error('SQS is unreachable');
    });
    const { id, bodies } = await dispatchCampaign('resume', { failQueueing: true });
    expect(batchCalls).toBe(1);
    const scheduleId = (await report(id)).schedule.scheduleId as string;
    const fire = () =>
      dispatcher({ campaignId: id, scheduleId } as never, lambdaContext('campaignDispatcher'));

    captureQueue(bodies);
    expect(await fire()).toEqual({ started: true, campaignId: id, queued: 20 });
    expect(new Set(bodies.flatMap((body) => JSON.parse(body).recipients))).toEqual(new Set(ids));
    const queuedOnce = bodies.length;
    expect(await fire()).toEqual({ started: false });
    expect(bodies).toHaveLength(queuedOnce);

    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    for (const body of bodies) await deliver(body);
    expect((await report(id)).report.progress).toMatchObject({ queued: 20, sent: 20 });
  });

  it('finishes the campaign on the dispatcher’s retry when nobody could mark it sent before', async () => {
    await createCustomers('unfinished', 2);
    const { id, bodies } = await dispatchCampaign('unfinished');
    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    // Every sender's closing check dies on the campaign write (as a dispatcher may die after
    // recording the figures and before finishing).
    const send = documentClient.send.bind(documentClient);
    vi.spyOn(documentClient, 'send').mockImplementation(((command: unknown) =>
      JSON.stringify((command as { input?: unknown }).input ?? {}).includes('completedAt')
        ? Promise.reject(new Error('network down'))
        : send(command as never)) as never);
    try {
      await Promise.all(bodies.map((body) => deliver(body)));
    } finally {
      vi.restoreAllMocks();
    }
    expect((await report(id)).status).toBe('sending');

    const scheduleId = (await report(id)).schedule.scheduleId as string;
    expect(
      await dispatcher({ campaignId: id, scheduleId } as never, lambdaContext('campaignDispatcher')),
    ).toEqual({ started: false });
    const read = await report(id);
    expect(read.status).toBe('sent');
    expect(read.report.progress).toMatchObject({ queued: 2, sent: 2 });
  });

  it('counts a person erased while SES was sending to them once, as gone, and the campaign still finishes', async () => {
    const [erased] = (await createCustomers('mid-erase', 2)) as [string, string];
    const { id, bodies } = await dispatchCampaign('mid-erase');
    sesMock.on(SendRawEmailCommand).callsFake(async (input) => {
      if (rawOf(input).includes(address('mid-erase', 0))) {
        expect(
          (await admin.request('POST /customers/{id}/erase', { pathParameters: { id: erased } })).status,
        ).toBe(200);
      }
      return passThrough(input);
    });
    await Promise.all(bodies.map((body) => deliver(body)));
    const read = await report(id);
    expect(read.report.progress).toMatchObject({
      queued: 2,
      sent: 1,
      skipped: 1,
      skippedByReason: { gone: 1 },
    });
    expect(read.status).toBe('sent');
    expect(
      (await sendRecordsOf(id)).filter((item) => item.customerId === erased).map((item) => item.messageId),
    ).toEqual([undefined]);
  });

  it('forgets who got a campaign when the person is erased; the counters keep only numbers', async () => {
    const [erased, kept] = (await createCustomers('forget', 2)) as [string, string];
    const { id, bodies } = await dispatchCampaign('forget');
    sesMock.on(SendRawEmailCommand).callsFake(passThrough);
    for (const body of bodies) await deliver(body);
    const sendsOf = async (customerId: string) =>
      (await allItems()).filter((item) => item.type === 'campaign-send' && item.customerId === customerId);
    expect(await sendsOf(erased)).toHaveLength(1);
    expect(
      (await admin.request('POST /customers/{id}/erase', { pathParameters: { id: erased } })).status,
    ).toBe(200);
    expect(await sendsOf(erased)).toHaveLength(0);
    expect(await sendsOf(kept)).toHaveLength(1);
    const stats = (await allItems()).filter((item) => String(item.pk).startsWith(`CAMPAIGN#${id}#STATS#`));
    expect(JSON.stringify(stats)).not.toContain(erased);
    expect((await report(id)).report.progress.sent).toBe(2);
  });

  it('sends no campaign e-mail that is not in the plan: a message for a cancelled or unknown campaign does nothing', async () => {
    sesMock.on(SendRawEmailCommand).rejects(new Error('must not be called'));
    const result = await deliver(
      JSON.stringify({
        campaignId: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
        recipients: ['01JZZZZZZZZZZZZZZZZZZZZZZY'],
      }),
    );
    expect(result.batchItemFailures).toHaveLength(0);
    expect(sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(0);
    const malformed = await deliver('{"campaignId":"nope"}');
    expect(malformed.batchItemFailures).toHaveLength(1);
  });
});
