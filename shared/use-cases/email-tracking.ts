import type { SesEventDetail } from '#events/ses-events';
import { recordTrackedEvent, recordUncounted, rememberLastClick } from '#shared/data/campaign-sends';
import { suppress } from '#shared/data/suppressions';
import { timelinePut } from '#shared/data/timeline';
import { decideEmailEvent } from '#shared/domain/email-tracking';
import { retryCountedWrite } from './retry-races.ts';

export type EmailEventOutcome =
  | { outcome: 'ignored'; reason: string }
  | {
      outcome: 'handled';
      messageKind: string;
      event: string;
      /** Addresses newly suppressed by this event. */
      suppressed: number;
      /** Campaign e-mails: whether this event was recorded now (false: seen before, or no send record). */
      recorded?: boolean;
    };

/**
 * An SES sending event (delivery, bounce, complaint, open, click) of one of our e-mails.
 * 1. Decide what it means (pure: shared/domain/email-tracking.ts); foreign messages are ignored.
 * 2. A permanent bounce or a complaint puts each recipient on the suppression list (source `ses`),
 *    whatever the kind of e-mail; idempotent (an address keeps its first suppression).
 * 3. A campaign e-mail: the first such event per recipient sets the send record's flag, moves the
 *    campaign's counter and writes the timeline entry, in one transaction; a transient bounce
 *    writes only its entry. Redelivered events change nothing (the flag, and the entry's derived id).
 * 4. A click is remembered as the customer's last campaign click (for conversions).
 */
export const trackEmailEvent = async (
  detailType: string,
  detail: SesEventDetail,
): Promise<EmailEventOutcome> => {
  const decision = decideEmailEvent(detailType, detail);
  if ('ignore' in decision) return { outcome: 'ignored', reason: decision.ignore };
  const plan = decision.act;
  let suppressed = 0;
  for (const email of plan.suppress?.emails ?? []) {
    const result = await suppress(email, plan.suppress?.reason ?? 'hard-bounce', 'ses', plan.occurredAt);
    if (result.created) suppressed++;
  }
  const base = { outcome: 'handled' as const, messageKind: plan.messageKind, event: plan.event, suppressed };
  const campaign = plan.campaign;
  if (!campaign) return base;
  const recorded = campaign.count
    ? await retryCountedWrite(() =>
        recordTrackedEvent(campaign.campaignId, campaign.customerId, plan.event, plan.occurredAt, [
          timelinePut(campaign.entry),
        ]),
      )
    : await recordUncounted(campaign.campaignId, campaign.customerId, [timelinePut(campaign.entry)]);
  if (plan.event === 'clicked') {
    await rememberLastClick(campaign.campaignId, campaign.customerId, plan.occurredAt);
  }
  return { ...base, recorded };
};
