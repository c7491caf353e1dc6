import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '#functions/scheduled/campaign-dispatcher';
import { ensureTable } from '#local/table';
import { scheduler } from '#shared/clients/scheduler';
import { sqs } from '#shared/clients/sqs';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';

/** Scheduling against DynamoDB Local with the Scheduler client mocked: what is sent, failures, the dispatcher gate. */
const marketing = asUser('marketing');
const schedulerMock = mockClient(scheduler as unknown as SchedulerClient);
const sqsMock = mockClient(sqs as unknown as SQSClient);
process.env.CAMPAIGN_SEND_QUEUE_URL = 'http://queue.invalid/000000000000/campaignSend';

let segmentId: string;
let templateId: string;

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
  segmentId = (
    await marketing.request('POST /segments', {
      body: { name: 'All', rule: { field: 'emailConsent', in: ['granted'] } },
    })
  ).body.id;
  templateId = (
    await marketing.request('POST /templates', {
      body: { name: 'T', subject: 'S', html: '<p>H</p>', text: 'H' },
    })
  ).body.id;
});
afterEach(() => schedulerMock.reset());

const draft = async () =>
  (await marketing.request('POST /campaigns', { body: { name: 'C', segmentId, templateId } })).body as {
    id: string;
  };
const schedule = (id: string, sendAt: string, timeZone = 'Europe/Paris') =>
  marketing.request('POST /campaigns/{id}/schedule', { pathParameters: { id }, body: { sendAt, timeZone } });

describe('campaign scheduling', () => {
  it('creates a one-time schedule in the campaign zone that deletes itself, with a client token', async () => {
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    const campaign = await draft();
    const scheduled = await schedule(campaign.id, '2031-06-01T09:30');
    expect(scheduled.status).toBe(200);
    const [call] = schedulerMock.commandCalls(CreateScheduleCommand);
    expect(call?.args[0].input).toMatchObject({
      Name: `campaign-${campaign.id}-v2`,
      GroupName: 'test-campaigns',
      ScheduleExpression: 'at(2031-06-01T09:30:00)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      ActionAfterCompletion: 'DELETE',
      ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Input: JSON.stringify({ campaignId: campaign.id, scheduleId: `${campaign.id}-v2` }) },
    });
    // Rescheduling deletes the previous schedule.
    schedulerMock.on(DeleteScheduleCommand).resolves({});
    await schedule(campaign.id, '2031-06-02T09:30');
    expect(schedulerMock.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toMatchObject({
      Name: `campaign-${campaign.id}-v2`,
    });
  });

  it('keeps the stored moment and the live schedule in step when two pinned requests schedule it at once', async () => {
    // Scheduler as it behaves: a name is taken once; the same client token is the same request.
    const live = new Map<string, { token?: string; expression?: string }>();
    let calls = 0;
    schedulerMock.on(CreateScheduleCommand).callsFake(async (input) => {
      const existing = live.get(input.Name);
      if (existing && existing.token !== input.ClientToken) {
        throw new ConflictException({
          message: `Schedule ${input.Name} already exists`,
          Message: 'exists',
          $metadata: {},
        });
      }
      if (!existing) live.set(input.Name, { token: input.ClientToken, expression: input.ScheduleExpression });
      // The first request hears back late, so the second one reaches the campaign write first.
      if (calls++ === 0) await new Promise((resolve) => setTimeout(resolve, 150));
      return { ScheduleArn: 'arn:x' };
    });
    schedulerMock.on(DeleteScheduleCommand).callsFake(async (input) => {
      live.delete(input.Name);
      return {};
    });
    const campaign = await draft();
    const pinned = (sendAt: string) =>
      marketing.request('POST /campaigns/{id}/schedule', {
        pathParameters: { id: campaign.id },
        body: { sendAt, timeZone: 'UTC' },
        headers: { 'If-Match': '"1"' },
      });
    const answers = await Promise.all([pinned('2031-06-01T09:30'), pinned('2031-07-01T09:30')]);
    // One wins; the other finds the campaign changed (412) or, still racing, is told to try again (409).
    const [won, lost] = answers.map((answer) => answer.status).sort();
    expect(won).toBe(200);
    expect([409, 412]).toContain(lost);
    const stored = (await marketing.request('GET /campaigns/{id}', { pathParameters: { id: campaign.id } }))
      .body;
    expect(live.get(`campaign-${stored.schedule.scheduleId}`)?.expression).toBe(
      `at(${stored.schedule.sendAt}:00)`,
    );
  });

  it('answers 503 and leaves the campaign a draft when Scheduler throttles', async () => {
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const campaign = await draft();
    expect((await schedule(campaign.id, '2031-06-01T09:30')).status).toBe(503);
    const read = await marketing.request('GET /campaigns/{id}', { pathParameters: { id: campaign.id } });
    expect(read.body.status).toBe('draft');
  });

  it('starts a campaign once however often its schedule fires, and never from an outdated one', async () => {
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    schedulerMock.on(DeleteScheduleCommand).resolves({});
    const campaign = await draft();
    await schedule(campaign.id, '2031-06-01T09:30');
    await schedule(campaign.id, '2031-06-01T10:30');
    const fire = (scheduleId: string) =>
      dispatcher({ campaignId: campaign.id, scheduleId } as never, lambdaContext('campaignDispatcher'));
    expect(await fire(`${campaign.id}-v2`)).toEqual({ started: false });
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({ Id: entry.Id })),
    }));
    const results = await Promise.all([1, 2, 3, 4].map(() => fire(`${campaign.id}-v3`)));
    expect(results.filter((r) => (r as { started: boolean }).started)).toHaveLength(1);
    const read = await marketing.request('GET /campaigns/{id}', { pathParameters: { id: campaign.id } });
    // Nobody is marketable in this file's table: the campaign is sent as soon as it is queued.
    expect(read.body).toMatchObject({ status: 'sent', version: 5, report: { progress: { queued: 0 } } });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});
