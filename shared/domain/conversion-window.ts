/**
 * When a purchase counts as a campaign's conversion: within a window of days after the buyer's
 * last click on a campaign e-mail. Pure.
 */

/** Days after a click in which a purchase is the campaign's conversion, unless configured. */
export const DEFAULT_CONVERSION_WINDOW_DAYS = 7;
export const MAX_CONVERSION_WINDOW_DAYS = 90;

/** A whole number of days from 1 to 90; anything else is a configuration error. */
export const assertValidConversionWindow = (days: number): number => {
  if (!Number.isInteger(days) || days < 1 || days > MAX_CONVERSION_WINDOW_DAYS) {
    throw new Error(
      `The conversion window must be a whole number of days from 1 to ${MAX_CONVERSION_WINDOW_DAYS}, not ${days}`,
    );
  }
  return days;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether a purchase at `purchasedAt` is attributed to the click at `clickedAt`: not before the
 * click, and at most `windowDays` after it (both ends included).
 */
export const withinConversionWindow = (
  clickedAt: string,
  purchasedAt: string,
  windowDays: number,
): boolean => {
  const elapsed = Date.parse(purchasedAt) - Date.parse(clickedAt);
  return Number.isFinite(elapsed) && elapsed >= 0 && elapsed <= windowDays * DAY_MS;
};
