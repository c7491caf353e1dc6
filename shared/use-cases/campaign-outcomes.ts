import { config } from '#shared/config';
import { getLastClick, recordConversion, recordTrackedEvent } from '#shared/data/campaign-sends';
import { withinConversionWindow } from '#shared/domain/conversion-window';
import type { Purchase, Unsubscribe } from '#shared/schemas/activity';
import { retryCountedWrite } from './retry-races.ts';

export type ConversionOutcome = 'no-click' | 'outside-window' | 'attributed' | 'already-attributed';

/**
 * A purchase (`purchase.recorded`) after a click on a campaign e-mail is that campaign's conversion.
 * 1. Read the buyer's last campaign click; none → nothing to attribute.
 * 2. The purchase must be at or after the click and at most the window (CONVERSION_WINDOW_DAYS)
 *    after it.
 * 3. Count the conversion and its revenue (minor units, per currency) once per purchase: a guard
 *    item per purchase in the same transaction as the counters.
 */
export const attributePurchase = async (
  purchase: Pick<Purchase, 'id' | 'customerId' | 'amount' | 'currency' | 'occurredAt'>,
  windowDays = config.conversionWindowDays,
): Promise<ConversionOutcome> => {
  const click = await getLastClick(purchase.customerId);
  if (!click) return 'no-click';
  if (!withinConversionWindow(click.clickedAt, purchase.occurredAt, windowDays)) return 'outside-window';
  const counted = await retryCountedWrite(() =>
    recordConversion(click.campaignId, purchase.customerId, {
      id: purchase.id,
      amount: purchase.amount,
      currency: purchase.currency,
      at: purchase.occurredAt,
    }),
  );
  return counted ? 'attributed' : 'already-attributed';
};

/**
 * An unsubscribe through a campaign e-mail's link (`customer.unsubscribed` with a campaignId)
 * counts once in that campaign's `unsubscribed`. False: no campaign, counted already, or the person
 * has no send record of it (a test send's link unsubscribes no one anyway).
 */
export const countCampaignUnsubscribe = async (entry: Unsubscribe): Promise<boolean> =>
  entry.campaignId === undefined
    ? false
    : retryCountedWrite(() =>
        recordTrackedEvent(entry.campaignId as string, entry.customerId, 'unsubscribed', entry.occurredAt),
      );
