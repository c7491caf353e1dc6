import { randomUUID } from 'node:crypto';
import * as sends from '#shared/data/campaign-sends';
import * as store from '#shared/data/campaigns';
import { marketableAudience } from '#shared/data/marketable';
import { getSegment } from '#shared/data/segments';
import { MARKETABLE_SHARDS } from '#shared/domain/audience';
import * as rules from '#shared/domain/campaign';
import { everyoneHandled } from '#shared/domain/campaign-progress';
import { nowIso } from '#shared/ids';
import { enqueueRecipients } from '#shared/messaging/campaign-send-queue';
import { logger } from '#shared/observability/logger';
import type { DispatchInput } from '#shared/scheduling/campaign-schedules';
import type { Campaign } from '#shared/schemas/campaign';
import { startCampaign } from './campaigns.ts';
import { retryLostRaces } from './retry-races.ts';

/**
 * Sending a campaign: the dispatcher queues its audience, senders mail each recipient once.
 *
 * Dispatcher (when the schedule fires):
 * 1. Move the campaign to `sending` (only from the scheduling it expects, once), or pick up a
 *    dispatch that died half-way (still `sending`, not every shard queued).
 * 2. Read the segment's audience from the marketable index (16 shards, no Scan) and queue the
 *    recipients' ids, 50 per SQS message; then record how many each shard queued (SET: a re-run
 *    writes the same figures, and a recipient queued twice is still mailed once).
 *
 * Senders then mail each recipient once (campaign-sender.ts); when every queued recipient has an
 * outcome, the campaign becomes `sent` (finishIfEveryoneHandled, called by both).
 */

export type DispatchOutcome = { started: false } | { started: true; campaignId: string; queued: number };

/**
 * A dispatcher holds its lease this long past its last sign of life (it renews after each batch of
 * 50). Shorter than the minute Lambda waits before retrying a failed invocation, so the retry of
 * a dispatcher that timed out finds the lease free and takes over.
 */
const LEASE_MS = 30_000;

/** Takes or renews the dispatch lease for LEASE_MS more; false when another dispatcher holds it. */
const holdLease = (campaignId: string, owner: string) =>
  sends.takeDispatchLease(campaignId, owner, Date.now(), Date.now() + LEASE_MS);

/**
 * The campaign a dispatch may work on: newly started, or one of this scheduling still being
 * queued, and then only with the dispatch lease (so duplicates of a schedule queue nothing while
 * another dispatcher is at work, and a retry takes over from one that died).
 */
const campaignToQueue = async (input: DispatchInput, owner: string): Promise<Campaign | undefined> => {
  const campaign = (await startCampaign(input)) ?? (await campaignStillQueueing(input));
  return campaign && (await holdLease(campaign.id, owner)) ? campaign : undefined;
};

const campaignStillQueueing = async (input: DispatchInput): Promise<Campaign | undefined> => {
  const current = await store.getCampaign(input.campaignId, { consistent: true });
  if (!current || !rules.isSendingFrom(current, input.scheduleId)) return undefined;
  const { queuedShards } = await sends.getCampaignCounters(current.id);
  if (queuedShards < MARKETABLE_SHARDS) return current;
  // Everyone is queued: a dispatcher may have died between recording the figures and finishing.
  await finishIfEveryoneHandled(current.id);
  return undefined;
};

export const dispatchCampaign = async (input: DispatchInput): Promise<DispatchOutcome> => {
  const owner = randomUUID();
  const campaign = await campaignToQueue(input, owner);
  if (!campaign) return { started: false };
  const renewLease = async () => {
    if (!(await holdLease(campaign.id, owner))) {
      throw new Error('Another dispatcher took over this campaign (this one was too slow): stopping');
    }
  };
  try {
    return { started: true, campaignId: campaign.id, queued: await queueAudience(campaign, renewLease) };
  } catch (error) {
    await sends.releaseDispatchLease(campaign.id, owner);
    throw error;
  }
};

/** Queues the campaign's audience and records the figures; returns how many were queued. */
const queueAudience = async (campaign: Campaign, renewLease: () => Promise<void>): Promise<number> => {
  const segment = await getSegment(campaign.segmentId);
  const queuedByShard = Array.from({ length: MARKETABLE_SHARDS }, () => 0);
  if (segment) {
    for await (const batch of marketableAudience(segment.rule)) {
      await enqueueRecipients(
        campaign.id,
        batch.members.map((member) => member.customerId),
      );
      queuedByShard[batch.shard] = (queuedByShard[batch.shard] ?? 0) + batch.members.length;
      await renewLease();
    }
  } else {
    logger.warn('The campaign’s segment is gone: nobody to send to', { segmentId: campaign.segmentId });
  }
  await sends.recordQueued(campaign.id, queuedByShard);
  // Senders may all have finished before the last shard's figure was written.
  await finishIfEveryoneHandled(campaign.id);
  return queuedByShard.reduce((a, b) => a + b, 0);
};

/** `sending` → `sent` once every queued recipient is sent, failed or skipped. */
export const finishIfEveryoneHandled = async (campaignId: string): Promise<boolean> => {
  const { counters, queuedShards } = await sends.getCampaignCounters(campaignId);
  if (!everyoneHandled(counters, queuedShards, MARKETABLE_SHARDS)) return false;
  return retryLostRaces(
    async () => {
      const current = await store.getCampaign(campaignId, { consistent: true });
      const next = current && rules.finishSending(current, nowIso());
      if (!current || !next) return false;
      await store.putCampaign(next, current);
      return true;
    },
    { versionPinned: false },
  );
};
