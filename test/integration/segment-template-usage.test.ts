import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as dispatcher } from '#functions/scheduled/campaign-dispatcher';
import { ensureTable } from '#local/table';
import { scheduler } from '#shared/clients/scheduler';
import * as campaigns from '#shared/data/campaigns';
import { Unprocessable } from '#shared/domain/errors';
import type { Campaign } from '#shared/schemas/campaign';
import { lambdaContext } from '../helpers/api-event.ts';
import { asUser } from '../helpers/customers-api.ts';

/**
 * A segment or template cannot be deleted while a draft, scheduled or sending campaign, or an
 * automated e-mail, names it (409 listing them); once they let go, it can. DynamoDB Local, Scheduler
 * mocked. Nobody is marketable in this file's table, so a started campaign is sent at once.
 */
const marketing = asUser('marketing');
const schedulerMock = mockClient(scheduler as unknown as SchedulerClient);
schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
schedulerMock.on(DeleteScheduleCommand).resolves({});
process.env.CAMPAIGN_SEND_QUEUE_URL = 'http://queue.invalid/000000000000/campaignSend';

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

const newSegment = async () =>
  (
    await marketing.request('POST /segments', {
      body: { name: 'Opted in', rule: { field: 'emailConsent', in: ['granted'] } },
    })
  ).body.id as string;
const newTemplate = async () =>
  (
    await marketing.request('POST /templates', {
      body: { name: 'T', subject: 'S', html: '<p>H</p>', text: 'H' },
    })
  ).body.id as string;
const newCampaign = async (segmentId: string, templateId: string) => {
  const created = await marketing.request('POST /campaigns', {
    body: { name: 'C', segmentId, templateId },
  });
  expect(created.status).toBe(201);
  return created.body as Campaign;
};
const deleteTemplate = (id: string) =>
  marketing.request('DELETE /templates/{id}', { pathParameters: { id } });
const deleteSegment = (id: string) => marketing.request('DELETE /segments/{id}', { pathParameters: { id } });
const campaignStatus = async (id: string) =>
  (await marketing.request('GET /campaigns/{id}', { pathParameters: { id } })).body.status;

const expectInUse = (
  response: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
  usedBy: { kind: string; id: string }[],
) => {
  expect(response.status).toBe(409);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toMatchObject({ type: 'https://cirrus-crm.dev/problems/conflict', status: 409 });
  expect(response.body.usedBy).toEqual(usedBy);
  for (const user of usedBy) expect(response.body.detail).toContain(user.id);
};

describe('segments and templates in use', () => {
  it('are kept while their campaign is a draft, scheduled or sending, and freed once it is sent', async () => {
    const segmentId = await newSegment();
    const templateId = await newTemplate();
    const campaign = await newCampaign(segmentId, templateId);
    const user = [{ kind: 'campaign', id: campaign.id }];
    expectInUse(await deleteTemplate(templateId), user);
    expectInUse(await deleteSegment(segmentId), user);

    const scheduled = await marketing.request('POST /campaigns/{id}/schedule', {
      pathParameters: { id: campaign.id },
      body: { sendAt: '2031-06-01T09:30', timeZone: 'Europe/Paris' },
    });
    expect(scheduled.status).toBe(200);
    expectInUse(await deleteTemplate(templateId), user);
    expectInUse(await deleteSegment(segmentId), user);

    // Sending (as the dispatcher leaves it while recipients are still being mailed).
    const stored = (await campaigns.getCampaign(campaign.id, { consistent: true })) as Campaign;
    const sending: Campaign = {
      ...stored,
      status: 'sending',
      startedAt: new Date().toISOString(),
      version: stored.version + 1,
    };
    await campaigns.putCampaign(sending, stored);
    expectInUse(await deleteTemplate(templateId), user);
    expectInUse(await deleteSegment(segmentId), user);
    // Back to scheduled, so that its schedule really starts it.
    await campaigns.putCampaign({ ...stored, version: sending.version + 1 }, sending);

    const fired = await dispatcher(
      { campaignId: campaign.id, scheduleId: stored.schedule?.scheduleId } as never,
      lambdaContext('campaignDispatcher'),
    );
    expect(fired).toMatchObject({ started: true });
    expect(await campaignStatus(campaign.id)).toBe('sent');
    expect((await deleteTemplate(templateId)).status).toBe(204);
    expect((await deleteSegment(segmentId)).status).toBe(204);
    // The sent campaign's report still reads.
    expect(
      (await marketing.request('GET /campaigns/{id}', { pathParameters: { id: campaign.id } })).status,
    ).toBe(200);
  });

  it('lists every campaign using it; a change of template or segment, a cancel and a delete let go', async () => {
    const [segmentA, segmentB, templateA, templateB] = await Promise.all([
      newSegment(),
      newSegment(),
      newTemplate(),
      newTemplate(),
    ]);
    const first = await newCampaign(segmentA, templateA);
    const second = await newCampaign(segmentA, templateA);
    const both = [first.id, second.id].sort().map((id) => ({ kind: 'campaign', id }));
    expectInUse(await deleteTemplate(templateA), both);
    expectInUse(await deleteSegment(segmentA), both);

    const moved = await marketing.request('PATCH /campaigns/{id}', {
      pathParameters: { id: first.id },
      body: { templateId: templateB, segmentId: segmentB },
    });
    expect(moved.status).toBe(200);
    expectInUse(await deleteTemplate(templateA), [{ kind: 'campaign', id: second.id }]);
    expectInUse(await deleteTemplate(templateB), [{ kind: 'campaign', id: first.id }]);
    expectInUse(await deleteSegment(segmentB), [{ kind: 'campaign', id: first.id }]);

    const cancelled = await marketing.request('POST /campaigns/{id}/cancel', {
      pathParameters: { id: first.id },
    });
    expect(cancelled.status).toBe(200);
    expect((await deleteTemplate(templateB)).status).toBe(204);
    expect((await deleteSegment(segmentB)).status).toBe(204);

    expect(
      (await marketing.request('DELETE /campaigns/{id}', { pathParameters: { id: second.id } })).status,
    ).toBe(204);
    expect((await deleteTemplate(templateA)).status).toBe(204);
    expect((await deleteSegment(segmentA)).status).toBe(204);
  });

  it('never lets a campaign name a template deleted at the same moment', async () => {
    const segmentId = await newSegment();
    // The write of a campaign whose existence check passed just before the template went: refused.
    const gone = await newTemplate();
    expect((await deleteTemplate(gone)).status).toBe(204);
    const late = {
      ...(await newCampaign(segmentId, await newTemplate())),
      id: '01J00000000000000000000000',
      templateId: gone,
    };
    const refused = await campaigns.putCampaign(late).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Unprocessable);
    expect((refused as Unprocessable).issues).toEqual([
      { in: 'body', field: 'templateId', detail: `No template ${gone}` },
    ]);
    expect(await campaigns.getCampaign(late.id, { consistent: true })).toBeUndefined();

    // Both at once, several times: exactly one of the two wins each time.
    for (let round = 0; round < 5; round++) {
      const templateId = await newTemplate();
      const [created, deleted] = await Promise.all([
        marketing.request('POST /campaigns', { body: { name: 'Race', segmentId, templateId } }),
        deleteTemplate(templateId),
      ]);
      // Never both (a campaign naming a deleted template); a lost transaction is retried, not lost.
      expect(['201 then 409', '422 then 204']).toContain(`${created.status} then ${deleted.status}`);
    }
  });

  it('keeps a template configured for an automated e-mail, enabled or not, until it names another', async () => {
    const [first, second] = await Promise.all([newTemplate(), newTemplate()]);
    const configure = (templateId: string, enabled: boolean) =>
      marketing.request('PUT /automations/{kind}', {
        pathParameters: { kind: 'anniversary' },
        body: { templateId, enabled },
      });
    expect((await configure(first, true)).status).toBe(200);
    expectInUse(await deleteTemplate(first), [{ kind: 'automation', id: 'anniversary' }]);
    expect((await configure(first, false)).status).toBe(200);
    expectInUse(await deleteTemplate(first), [{ kind: 'automation', id: 'anniversary' }]);

    // A campaign and the automation on one template: both listed.
    const campaign = await newCampaign(await newSegment(), first);
    expectInUse(await deleteTemplate(first), [
      { kind: 'automation', id: 'anniversary' },
      { kind: 'campaign', id: campaign.id },
    ]);

    expect((await configure(second, false)).status).toBe(200);
    expectInUse(await deleteTemplate(first), [{ kind: 'campaign', id: campaign.id }]);
    expectInUse(await deleteTemplate(second), [{ kind: 'automation', id: 'anniversary' }]);
    const read = await marketing.request('GET /automations/{kind}', {
      pathParameters: { kind: 'anniversary' },
    });
    expect(read.body.templateId).toBe(second);
  });
});
