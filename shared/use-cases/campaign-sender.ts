import { config } from '#shared/config';
import * as sends from '#shared/data/campaign-sends';
import * as store from '#shared/data/campaigns';
import { getCustomer } from '#shared/data/customers';
import { isSuppressed } from '#shared/data/suppressions';
import { getTemplate } from '#shared/data/templates';
import { claimAbandoned, OUTCOME_UNKNOWN, sendDecision } from '#shared/domain/campaign-progress';
import { Unprocessable } from '#shared/domain/errors';
import { buildMarketingMessage } from '#shared/email/marketing-message';
import { sendRawEmail } from '#shared/email/send-email';
import { SendPace, withThrottlingBackoff } from '#shared/email/send-pace';
import { sesErrorName, sesFailure } from '#shared/email/ses-failures';
import { nowIso } from '#shared/ids';
import type { CampaignSendMessage } from '#shared/messaging/campaign-send-queue';
import { logger } from '#shared/observability/logger';
import type { Campaign } from '#shared/schemas/campaign';
import type { Customer } from '#shared/schemas/customer';
import type { Template } from '#shared/schemas/template';
import { finishIfEveryoneHandled } from './campaign-sending.ts';
import { retryCountedWrite } from './retry-races.ts';
import { unsubscribeTokenFor } from './unsubscribe.ts';

/**
 * A campaign sender (one SQS message of up to 50 recipients), for each recipient in turn:
 * 1. Read the person now (strongly consistent) and the suppression list: erased or merged, no
 *    address, consent withdrawn, suppressed → a `skipped` record with the reason.
 * 2. Claim the send record (`attribute_not_exists`) BEFORE calling SES. Someone else has it:
 *    settled → nothing to do; abandoned by a sender that died → failed as `outcome-unknown`;
 *    being worked on → the message comes back later to check (see claimHeldElsewhere).
 * 3. Wait for the pace (this sender's share of the SES rate), send, back off while SES throttles.
 * 4. Settle: `sent`, or `failed` with the reason when SES refused it for good, when its answer
 *    was lost (it may have gone: never sent again), or when SQS will not deliver the message
 *    again. SES not taking it for a passing reason gives the claim back for the redelivery.
 * Counters move in the same transaction as the record, and lost races on them are retried.
 */

export interface BatchOutcome {
  sent: number;
  skipped: number;
  failed: number;
  alreadyHandled: number;
  /** Recipients whose claim was given back, or not reached in time: the message must come back. */
  released: number;
  /**
   * Recipients whose record is still `sending` (another sender is mid-send, or settling ours
   * failed): the message comes back to see them settled, should that sender have died.
   */
  unsettled: number;
}

type RecipientOutcome = keyof BatchOutcome;

export interface SenderInvocation {
  /** Time left in this invocation (Lambda's context). */
  remainingMs: () => number;
  /** SQS will not deliver this message again: what would be given back is failed instead. */
  lastDelivery: boolean;
}

interface SendRun extends SenderInvocation {
  campaign: Campaign;
  template: Template;
  pace: SendPace;
}

/** Stop taking recipients with less than this left: one send and its throttling backoff fit. */
const TIME_RESERVE_MS = 30_000;

/** This sender's share of the account's SES rate, for one invocation (see SendPace). */
const senderPace = () => new SendPace(config.sesMaxSendRate / config.campaignSenderConcurrency);

const fail = async (campaignId: string, customerId: string, reason: string): Promise<RecipientOutcome> =>
  (await retryCountedWrite(() => sends.markFailed(campaignId, customerId, reason, nowIso())))
    ? 'failed'
    : 'alreadyHandled';

/** One recipient: decide, claim, pace, send, settle. */
const sendToRecipient = async (run: SendRun, customerId: string): Promise<RecipientOutcome> => {
  const { campaign } = run;
  // Read now, not when the message arrived: consent may have been withdrawn a minute ago.
  const customer = await getCustomer(customerId, { consistent: true });
  const to = customer?.emails[0]?.address;
  const decision = sendDecision(customer, to !== undefined && (await isSuppressed(to)));
  if (!decision.send) {
    const skipped = await retryCountedWrite(() =>
      sends.recordSkip(campaign.id, customerId, decision.reason, nowIso()),
    );
    return skipped ? 'skipped' : claimHeldElsewhere(campaign.id, customerId);
  }
  if (!(await sends.claimSend(campaign.id, customerId, nowIso()))) {
    return claimHeldElsewhere(campaign.id, customerId);
  }
  let messageId: string;
  try {
    messageId = await renderAndSend(run, customer as Customer);
  } catch (error) {
    return settleFailedSend(run, customerId, error);
  }
  return recordSent(campaign.id, customerId, messageId);
};

/** A failure before SES was called (reading the signing key, say): nothing went out. */
class FailedBeforeSes extends Error {
  override name = 'FailedBeforeSes';
}

const renderAndSend = async (run: SendRun, customer: Customer): Promise<string> => {
  let message: Awaited<ReturnType<typeof buildMarketingMessage>>;
  try {
    message = await buildMarketingMessage({
      template: run.template,
      customer,
      campaign: { id: run.campaign.id, name: run.campaign.name },
      unsubscribeToken: await unsubscribeTokenFor({ customerId: customer.id, campaignId: run.campaign.id }),
    });
  } catch (error) {
    if (error instanceof Unprocessable) throw error;
    throw new FailedBeforeSes('The message could not be built', { cause: error });
  }
  return withThrottlingBackoff(async () => {
    await run.pace.take();
    return sendRawEmail(message.raw, message.tags);
  });
};

const settleFailedSend = async (run: SendRun, customerId: string, error: unknown) => {
  const campaignId = run.campaign.id;
  if (error instanceof Unprocessable) return fail(campaignId, customerId, 'template-error');
  const failure = error instanceof FailedBeforeSes ? 'not-sent' : sesFailure(error);
  if (failure === 'rejected') return fail(campaignId, customerId, sesErrorName(error));
  if (failure === 'unknown') {
    logger.error('SES’s answer was lost: the message may have gone, so it is not sent again', {
      customerId,
      error: error as Error,
    });
    return fail(campaignId, customerId, OUTCOME_UNKNOWN);
  }
  if (run.lastDelivery) {
    return fail(campaignId, customerId, sesErrorName(error instanceof FailedBeforeSes ? error.cause : error));
  }
  logger.warn('SES did not take the message: the claim is given back for a redelivery', {
    customerId,
    error: error as Error,
  });
  await sends.releaseClaim(campaignId, customerId);
  return 'released';
};

/**
 * SES took the message: count it. Should that keep failing, the claim stays `sending` (the person
 * is never mailed again) and the message comes back to settle it.
 */
const recordSent = async (campaignId: string, customerId: string, messageId: string) => {
  try {
    if (await retryCountedWrite(() => sends.markSent(campaignId, customerId, messageId, nowIso())))
      return 'sent';
    // The claim is gone: the person was erased while SES was sending. Counted once as gone,
    // with a record that keeps no message id, so the campaign still adds up.
    const counted = await retryCountedWrite(() => sends.recordSkip(campaignId, customerId, 'gone', nowIso()));
    return counted ? 'skipped' : 'alreadyHandled';
  } catch (error) {
    logger.error('Sent, but the send record could not be settled: it stays sending', {
      customerId,
      messageId,
      error: error as Error,
    });
    return 'unsettled';
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
    const failed = await retryCountedWrite(() =>
      sends.failAbandonedClaim(campaignId, customerId, record.claimedAt, now),
    );
    return failed ? 'failed' : 'alreadyHandled';
  }
  return 'unsettled';
};

/** The template was deleted after the campaign started: nothing can be rendered, for anyone. */
const failWithoutTemplate = async (campaignId: string, customerId: string): Promise<RecipientOutcome> => {
  if (!(await sends.claimSend(campaignId, customerId, nowIso()))) {
    return claimHeldElsewhere(campaignId, customerId);
  }
  return fail(campaignId, customerId, 'template-gone');
};

/**
 * Sends one queue message's recipients; `released` or `unsettled` > 0 asks for a redelivery. A
 * campaign already `sent` still takes its late messages (a dispatch re-run after a crash may
 * queue people the first run did not); one that never started or was cancelled sends nothing.
 */
export const sendCampaignBatch = async (
  message: CampaignSendMessage,
  invocation: SenderInvocation,
): Promise<BatchOutcome> => {
  const outcome: BatchOutcome = {
    sent: 0,
    skipped: 0,
    failed: 0,
    alreadyHandled: 0,
    released: 0,
    unsettled: 0,
  };
  const campaign = await store.getCampaign(message.campaignId, { consistent: true });
  if (campaign?.status !== 'sending' && campaign?.status !== 'sent') {
    logger.warn('Nothing to send: the campaign is not sending', { status: campaign?.status });
    return outcome;
  }
  const template = await getTemplate(campaign.templateId, { consistent: true });
  const run: SendRun | undefined = template && { ...invocation, campaign, template, pace: senderPace() };
  for (const [index, customerId] of message.recipients.entries()) {
    const left = message.recipients.length - index;
    if (invocation.remainingMs() < TIME_RESERVE_MS + (run?.pace.intervalMs ?? 0)) {
      logger.warn('Out of time: the rest of the message waits for its redelivery', { left });
      outcome.released += left;
      break;
    }
    const result = run
      ? await sendToRecipient(run, customerId)
      : await failWithoutTemplate(campaign.id, customerId);
    outcome[result]++;
    if (result === 'released') {
      // SES is struggling: leave the rest to the redelivery instead of hammering it.
      outcome.released += left - 1;
      break;
    }
  }
  await finishIfEveryoneHandled(campaign.id);
  return outcome;
};
