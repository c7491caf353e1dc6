import { getCampaignCounters } from '#shared/data/campaign-sends';
import * as store from '#shared/data/campaigns';
import { getSegment } from '#shared/data/segments';
import { getTemplate } from '#shared/data/templates';
import type { Actor } from '#shared/domain/actor';
import { MARKETABLE_SHARDS } from '#shared/domain/audience';
import * as rules from '#shared/domain/campaign';
import { campaignReport } from '#shared/domain/campaign-progress';
import { type FieldIssue, NotFound, Unprocessable, VersionMismatch } from '#shared/domain/errors';
import { SAMPLE_CUSTOMER } from '#shared/domain/template-variables';
import { newId, nowIso } from '#shared/ids';
import { logger } from '#shared/observability/logger';
import {
  createCampaignSchedule,
  type DispatchInput,
  deleteCampaignSchedule,
} from '#shared/scheduling/campaign-schedules';
import type {
  Campaign,
  CreateCampaignRequest,
  ScheduleCampaignRequest,
  UpdateCampaignRequest,
} from '#shared/schemas/campaign';
import { retryLostRaces } from './retry-races.ts';
import { renderForPreview } from './templates.ts';

/** Campaign use cases: the rules of shared/domain/campaign.ts on shared/data/campaigns.ts and Scheduler. */

const readForChange = async (id: string, ifMatch?: number | '*'): Promise<Campaign> => {
  const current = await store.getCampaign(id, { consistent: true });
  if (!current) throw new NotFound(`No campaign ${id}.`);
  if (typeof ifMatch === 'number' && ifMatch !== current.version) {
    throw new VersionMismatch(`The campaign is at version ${current.version}, not ${ifMatch}.`);
  }
  return current;
};

/** A schedule that is no longer wanted; failing to delete it only costs a no-op dispatch. */
const dropSchedule = async (campaign: Campaign) => {
  if (campaign.status !== 'scheduled' || !campaign.schedule) return;
  await deleteCampaignSchedule(campaign.schedule.scheduleId).catch((error: Error) =>
    logger.warn('Could not delete an old campaign schedule; the dispatcher will ignore it', { error }),
  );
};

/** The segment and template a campaign names must exist (422 naming the field otherwise). */
const assertReferencesExist = async (refs: { segmentId?: string; templateId?: string }) => {
  const [segment, template] = await Promise.all([
    refs.segmentId === undefined ? true : getSegment(refs.segmentId),
    refs.templateId === undefined ? true : getTemplate(refs.templateId),
  ]);
  const issues: FieldIssue[] = [
    ...(segment ? [] : [{ in: 'body' as const, field: 'segmentId', detail: `No segment ${refs.segmentId}` }]),
    ...(template
      ? []
      : [{ in: 'body' as const, field: 'templateId', detail: `No template ${refs.templateId}` }]),
  ];
  if (issues.length > 0) throw new Unprocessable(issues);
};

export const createCampaign = async (actor: Actor, input: CreateCampaignRequest): Promise<Campaign> => {
  rules.assertMayManageCampaigns(actor);
  await assertReferencesExist(input);
  // A transaction meeting another on the segment's or template's usage counter is tried again.
  return retryLostRaces(
    async () => {
      const campaign = rules.newCampaign(input, actor, { id: newId(), now: nowIso() });
      await store.putCampaign(campaign);
      return campaign;
    },
    { versionPinned: true },
  );
};

/** A campaign; once sending started, with its report (counters summed over their 16 shards). */
export const getCampaign = async (actor: Actor, id: string): Promise<Campaign> => {
  rules.assertMayManageCampaigns(actor);
  const campaign = await store.getCampaign(id);
  if (!campaign) throw new NotFound(`No campaign ${id}.`);
  if (campaign.status !== 'sending' && campaign.status !== 'sent') return campaign;
  const { counters, queuedShards } = await getCampaignCounters(id);
  return { ...campaign, report: campaignReport(counters, queuedShards >= MARKETABLE_SHARDS) };
};

export const listCampaigns = async (actor: Actor, page: { limit: number; cursor?: string }) => {
  rules.assertMayManageCampaigns(actor);
  return store.listCampaigns(page);
};

/** A change that lost a race is re-applied to the fresh campaign, unless If-Match pinned the version. */
const change = (
  actor: Actor,
  id: string,
  ifMatch: number | '*' | undefined,
  apply: (current: Campaign, now: string) => Campaign,
  afterWrite: (previous: Campaign, next: Campaign) => Promise<void> = async () => {},
  beforeWrite: (next: Campaign) => Promise<void> = async () => {},
) =>
  retryLostRaces(
    async () => {
      rules.assertMayManageCampaigns(actor);
      const current = await readForChange(id, ifMatch);
      const next = apply(current, nowIso());
      await beforeWrite(next);
      await store.putCampaign(next, current);
      await afterWrite(current, next);
      return next;
    },
    { versionPinned: typeof ifMatch === 'number' },
  );

export const updateCampaign = async (
  actor: Actor,
  id: string,
  patch: UpdateCampaignRequest,
  ifMatch?: number | '*',
) => {
  rules.assertMayManageCampaigns(actor);
  await assertReferencesExist({ segmentId: patch.segmentId, templateId: patch.templateId });
  return change(actor, id, ifMatch, (current, now) => rules.applyCampaignPatch(current, patch, now));
};

/**
 * A template that cannot be rendered (its loops past the render limits, say) would fail for every
 * recipient: scheduling renders it once for the sample customer and refuses it, naming
 * `templateId`, as the test send would.
 */
const assertTemplateRenders = async (campaign: Campaign) => {
  const template = await getTemplate(campaign.templateId);
  if (!template) return; // Gone: the segment-and-template usage check of the write answers it.
  try {
    await renderForPreview(template, SAMPLE_CUSTOMER, campaign.name);
  } catch (error) {
    if (!(error instanceof Unprocessable)) throw error;
    throw new Unprocessable(
      error.issues.map((issue) => ({
        in: 'body' as const,
        field: 'templateId',
        detail: `The template cannot be rendered (${issue.field}: ${issue.detail})`,
      })),
      'The campaign’s template cannot be rendered.',
    );
  }
};

/**
 * 1. Work out the moment (local time in its zone; must exist and be in the future).
 * 2. Create its one-time schedule (idempotent per scheduling), then store the campaign as
 *    scheduled; a lost race leaves an orphan schedule that the dispatcher will ignore.
 * 3. A reschedule deletes the previous scheduling's schedule.
 */
export const scheduleCampaign = (
  actor: Actor,
  id: string,
  request: ScheduleCampaignRequest,
  ifMatch?: number | '*',
) =>
  change(
    actor,
    id,
    ifMatch,
    (current, now) => rules.scheduleCampaign(current, request, now),
    (previous) => dropSchedule(previous),
    async (next) => {
      await assertTemplateRenders(next);
      await createCampaignSchedule(next);
    },
  );

/** Cancelled until sending starts: the schedule goes too (and would start nothing anyway). */
export const cancelCampaign = (actor: Actor, id: string, ifMatch?: number | '*') =>
  change(
    actor,
    id,
    ifMatch,
    (current, now) => rules.cancelCampaign(current, now),
    (previous) => dropSchedule(previous),
  );

export const deleteCampaign = async (actor: Actor, id: string, ifMatch?: number | '*') => {
  rules.assertMayManageCampaigns(actor);
  const current = await readForChange(id, ifMatch);
  rules.assertMayDeleteCampaign(current);
  await store.deleteCampaign(current);
};

/**
 * The dispatcher's first step, when a schedule fires: the campaign moves from scheduled to
 * sending only if this is the scheduling it still expects, once (a conditional write), so a stale,
 * repeated or concurrent invocation starts nothing. Returns the started campaign, or undefined.
 */
export const startCampaign = (input: DispatchInput): Promise<Campaign | undefined> =>
  retryLostRaces(
    async () => {
      const current = await store.getCampaign(input.campaignId, { consistent: true });
      const next = current && rules.startSending(current, input.scheduleId, nowIso());
      if (!current || !next) return undefined;
      await store.putCampaign(next, current);
      return next;
    },
    { versionPinned: false },
  );
