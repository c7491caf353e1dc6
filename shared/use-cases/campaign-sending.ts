import { randomUUID } from 'node:crypto';
import { config } from '#shared/config';
import * as sends from '#shared/data/campaign-sends';
import * as store from '#shared/data/campaigns';
import { getCustomersByIds } from '#shared/data/customers';
import { marketableAudience } from '#shared/data/marketable';
import { getSegment } from '#shared/data/segments';
import { isSuppressed } from '#shared/data/suppressions';
import { getTemplate } from '#shared/data/templates';
import { MARKETABLE_SHARDS } from '#shared/domain/audience';
import * as rules from '#shared/domain/campaign';
import {
  claimAbandoned,
  everyoneHandled,
  type SkipReason,
  sendDecision,
} from '#shared/domain/campaign-progress';
import { Unprocessable } from '#shared/domain/errors';
import { buildMarketingMessage } from '#shared/email/marketing-message';
import { sendRawEmail } from '#shared/email/send-email';
import { SendPace, withThrottlingBackoff } from '#shared/email/send-pace';
import { nowIso } from '#shared/ids';
import { type CampaignSendMessage, enqueueRecipients } from '#shared/messaging/campaign-send-queue';
import { logger } from '#shared/observability/logger';
import type { DispatchInput } from '#shared/scheduling/campaign-schedules';
import type { Campaign } from '#shared/schemas/campaign';
import type { Customer } from '#shared/schemas/customer';
import type { Template } from '#shared/schemas/template';
import { startCampaign } from './campaigns.ts';
import { retryLostRaces } from './retry-races.ts';
import { unsubscribeTokenFor } from './unsubscribe.ts';

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
 * Sender (one SQS message):
 * 1. Read the recipients as they are now (strongly consistent) and the suppression list: no
 *    consent, suppressed, no address, erased/merged → a `skipped` record with its reason.
 * 2. Claim the send record (`attribute_not_exists`) BEFORE calling SES. Someone else has it:
 *    settled → nothing to do; abandoned by a sender that died → failed as `outcome-unknown`;
 *    being worked on → the message comes back later to check (see claimHeldElsewhere).
 * 3. Wait for the pace (this sender's share of the SES rate), send, back off while SES throttles.
 * 4. `sent` (or `failed` when SES rejects the message for good), counted in the same transaction.
 *    A passing failure gives the claim back and the message is redelivered.
 * 5. When every queued recipient has an outcome, the campaign becomes `sent`.
 */

/** SES errors about this message itself: retrying the same message would fail again. */
const PERMANENT_SES_ERRORS = new Set(['MessageRejected', 'InvalidParameterValue']);

export type DispatchOutcome = { started: false } | { started: true; campaignId: string; queued: number };

/** A dispatcher holds its lease this long past its last sign of life (it renews after each batch). */
const LEASE_MS = 60_000;

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
  return queuedShards < MARKETABLE_SHARDS ? current : undefined;
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
      await store.putCampaign(next, current.version);
      return true;
    },
    { versionPinned: false },
  );
};

/** This sender's share of the account's SES rate, for one invocation (see SendPace). */
const senderPace = () => new SendPace(config.sesMaxSendRate / config.campaignSenderConcurrency);

export interface BatchOutcome {
  sent: number;
  skipped: number;
  failed: number;
  alreadyHandled: number;
  /** Recipients whose claim was given back: the message must be delivered again. */
  released: number;
  /** Recipients another sender is mailing right now: the message comes back to see them settled. */
  heldElsewhere: number;
}

type RecipientOutcome = keyof BatchOutcome;

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'Error');

/** One recipient: decide, claim, pace, send, settle. */
const sendToRecipient = async (
  pace: SendPace,
  campaign: Campaign,
  template: Template,
  customerId: string,
  customer: Customer | undefined,
): Promise<RecipientOutcome> => {
  const to = customer?.emails[0]?.address;
  const decision = sendDecision(customer, to !== undefined && (await isSuppressed(to)));
  if (!decision.send) {
    return (await sends.recordSkip(campaign.id, customerId, decision.reason satisfies SkipReason, nowIso()))
      ? 'skipped'
      : claimHeldElsewhere(campaign.id, customerId);
  }
  if (!(await sends.claimSend(campaign.id, customerId, nowIso())))
    return claimHeldElsewhere(campaign.id, customerId);
  try {
    const message = await buildMarketingMessage({
      template,
      customer: customer as Customer,
      campaign: { id: campaign.id, name: campaign.name },
      unsubscribeToken: await unsubscribeTokenFor({ customerId, campaignId: campaign.id }),
    });
    const messageId = await withThrottlingBackoff(async () => {
      await pace.take();
      return sendRawEmail(message.raw, message.tags);
    });
    await sends.markSent(campaign.id, customerId, messageId, nowIso());
    return 'sent';
  } catch (error) {
    if (error instanceof Unprocessable || PERMANENT_SES_ERRORS.has(errorName(error))) {
      const reason = error instanceof Unprocessable ? 'template-error' : errorName(error);
      await sends.markFailed(campaign.id, customerId, reason, nowIso());
      return 'failed';
    }
    logger.warn('Send failed for a passing reason: the claim is given back for a redelivery', {
      customerId,
      error: error as Error,
    });
    await sends.releaseClaim(campaign.id, customerId);
    return 'released';
  }
};

/**
 * Someone else has the recipient's send record. Settled: nothing to do. A claim no living sender
 * can hold (its sender died between claim and SES): failed as `outcome-unknown`, never mailed
 * again. A claim being worked on now, or given back a moment ago: this message comes back later,
 * so that a holder that dies (while SQS deleted this duplicate) still gets its claim settled.
 */
const claimHeldElsewhere = async (campaignId: string, customerId: string): Promise<RecipientOutcome> => {
  const record = await sends.getSendRecord(campaignId, customerId);
  if (record && record.status !== 'sending') return 'alreadyHandled';
  const now = nowIso();
  if (record && claimAbandoned(record.claimedAt, now)) {
    logger.warn('A sender died holding this claim: failed as outcome-unknown', { customerId });
    return (await sends.failAbandonedClaim(campaignId, customerId, record.claimedAt, now))
      ? 'failed'
      : 'alreadyHandled';
  }
  return 'heldElsewhere';
};

/** The template was deleted after the campaign started: nothing can be rendered, for anyone. */
const failWithoutTemplate = async (campaignId: string, customerId: string): Promise<RecipientOutcome> => {
  if (!(await sends.claimSend(campaignId, customerId, nowIso())))
    return claimHeldElsewhere(campaignId, customerId);
  return (await sends.markFailed(campaignId, customerId, 'template-gone', nowIso()))
    ? 'failed'
    : 'alreadyHandled';
};

/** Sends one queue message's recipients; `released` or `heldElsewhere` > 0 asks for a redelivery. */
export const sendCampaignBatch = async (message: CampaignSendMessage): Promise<BatchOutcome> => {
  const outcome: BatchOutcome = {
    sent: 0,
    skipped: 0,
    failed: 0,
    alreadyHandled: 0,
    released: 0,
    heldElsewhere: 0,
  };
  const campaign = await store.getCampaign(message.campaignId, { consistent: true });
  if (campaign?.status !== 'sending') {
    logger.warn('Nothing to send: the campaign is not sending', { status: campaign?.status });
    return outcome;
  }
  const template = await getTemplate(campaign.templateId, { consistent: true });
  const customers = new Map(
    (await getCustomersByIds(message.recipients, { consistent: true })).map((c) => [c.id, c]),
  );
  const pace = senderPace();
  for (const [index, customerId] of message.recipients.entries()) {
    const result = template
      ? await sendToRecipient(pace, campaign, template, customerId, customers.get(customerId))
      : await failWithoutTemplate(campaign.id, customerId);
    outcome[result]++;
    if (result === 'released') {
      // SES is struggling: leave the rest to the redelivery instead of hammering it.
      outcome.released += message.recipients.length - index - 1;
      break;
    }
  }
  await finishIfEveryoneHandled(campaign.id);
  return outcome;
};
