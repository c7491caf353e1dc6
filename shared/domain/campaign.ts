import type {
  Campaign,
  CreateCampaignRequest,
  ScheduleCampaignRequest,
  UpdateCampaignRequest,
} from '#shared/schemas/campaign';
import { type Actor, hasAnyRole } from './actor.ts';
import { Conflict, Forbidden, Unprocessable } from './errors.ts';
import { canonicalTimeZone, instantOfWallTime } from './zoned-time.ts';

/** Campaign rules: who may do what, and the life of a campaign. Pure functions. */

const MANAGE = ['admin', 'manager', 'marketing'] as const;

export const assertMayManageCampaigns = (actor: Actor): void => {
  if (!hasAnyRole(actor, MANAGE))
    throw new Forbidden('Only admins, managers and marketing manage campaigns.');
};

export const newCampaign = (
  input: CreateCampaignRequest,
  actor: Actor,
  ids: { id: string; now: string },
): Campaign => ({
  id: ids.id,
  ...input,
  status: 'draft',
  version: 1,
  createdAt: ids.now,
  updatedAt: ids.now,
  createdBy: actor.userId,
});

/**
 * A campaign that may still send (draft, scheduled, sending) uses its segment and template: they
 * cannot be deleted meanwhile. A sent or cancelled campaign lets go of them.
 */
export const usesItsSegmentAndTemplate = (campaign: Campaign): boolean =>
  campaign.status === 'draft' || campaign.status === 'scheduled' || campaign.status === 'sending';

/** What it is about (name, segment, template) may change until sending starts. */
const assertStillEditable = (campaign: Campaign, what: string): void => {
  if (campaign.status !== 'draft' && campaign.status !== 'scheduled') {
    throw new Conflict(`A ${campaign.status} campaign cannot be ${what}.`);
  }
};

export const applyCampaignPatch = (
  campaign: Campaign,
  patch: UpdateCampaignRequest,
  now: string,
): Campaign => {
  assertStillEditable(campaign, 'changed');
  return { ...campaign, ...patch, version: campaign.version + 1, updatedAt: now };
};

/** Scheduler runs a target within the minute; a time already past would never be met. */
/** How far ahead a campaign may be scheduled. */
export const MAX_SCHEDULE_YEARS = 5;
/** No zone is further than 14 hours from UTC: a wall time further than that from now is out either way. */
const ZONE_SPREAD_MS = 14 * 60 * 60 * 1000;

/** A wall time far in the past or the future is refused as such before any zone is looked at. */
const assertWithinSchedulingRange = (sendAt: string, now: string) => {
  const wallAsUtc = Date.parse(`${sendAt.length === 16 ? `${sendAt}:00` : sendAt}Z`);
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + MAX_SCHEDULE_YEARS);
  const detail =
    wallAsUtc < Date.parse(now) - ZONE_SPREAD_MS
      ? 'Must be in the future'
      : wallAsUtc > latest.getTime() + ZONE_SPREAD_MS
        ? `Must be within ${MAX_SCHEDULE_YEARS} years`
        : undefined;
  if (detail) throw new Unprocessable([{ in: 'body', field: 'sendAt', detail }]);
};

export const scheduleCampaign = (
  campaign: Campaign,
  request: ScheduleCampaignRequest,
  now: string,
): Campaign => {
  assertStillEditable(campaign, 'scheduled');
  const timeZone = canonicalTimeZone(request.timeZone);
  assertWithinSchedulingRange(request.sendAt, now);
  const instant = timeZone
    ? instantOfWallTime(request.sendAt, timeZone)
    : ({ kind: 'unknown-time-zone' } as const);
  if (instant.kind !== 'instant') {
    throw new Unprocessable([
      {
        in: 'body',
        field: instant.kind === 'nonexistent' ? 'sendAt' : 'timeZone',
        detail:
          instant.kind === 'nonexistent'
            ? `${request.sendAt} does not exist in ${request.timeZone} (the clocks skip it)`
            : 'Unknown time zone',
      },
    ]);
  }
  if (Date.parse(instant.at) <= Date.parse(now)) {
    throw new Unprocessable([
      { in: 'body', field: 'sendAt', detail: `Must be in the future (it is ${instant.at} in UTC)` },
    ]);
  }
  const version = campaign.version + 1;
  return {
    ...campaign,
    status: 'scheduled',
    schedule: {
      sendAt: request.sendAt,
      timeZone: timeZone as string,
      at: instant.at,
      scheduleId: `${campaign.id}-v${version}`,
    },
    version,
    updatedAt: now,
  };
};

export const cancelCampaign = (campaign: Campaign, now: string): Campaign => {
  assertStillEditable(campaign, 'cancelled');
  return {
    ...campaign,
    status: 'cancelled',
    cancelledAt: now,
    version: campaign.version + 1,
    updatedAt: now,
  };
};

export const assertMayDeleteCampaign = (campaign: Campaign): void => {
  if (campaign.status === 'sending' || campaign.status === 'scheduled') {
    throw new Conflict(`A ${campaign.status} campaign cannot be deleted: cancel it first, or let it finish.`);
  }
};

/**
 * The schedule that fires is the one the campaign still expects: each scheduling has its own id,
 * so a schedule left over from before a reschedule or a cancel, or delivered twice, starts nothing.
 */
export const startSending = (campaign: Campaign, scheduleId: string, now: string): Campaign | undefined =>
  campaign.status === 'scheduled' && campaign.schedule?.scheduleId === scheduleId
    ? { ...campaign, status: 'sending', startedAt: now, version: campaign.version + 1, updatedAt: now }
    : undefined;

/** A campaign this scheduling started and that is still sending (its dispatch may be resumed). */
export const isSendingFrom = (campaign: Campaign, scheduleId: string): boolean =>
  campaign.status === 'sending' && campaign.schedule?.scheduleId === scheduleId;

/** Every queued recipient has an outcome: the campaign is sent. */
export const finishSending = (campaign: Campaign, now: string): Campaign | undefined =>
  campaign.status === 'sending'
    ? { ...campaign, status: 'sent', completedAt: now, version: campaign.version + 1, updatedAt: now }
    : undefined;
