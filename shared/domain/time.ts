import { ValidationFailed } from './errors.ts';

/**
 * A client-supplied time must not lie in the future (compared as instants: `…:05Z` and
 * `…:05.000Z` are the same second). Returns it, or `now` when none was given.
 */
export const notInFuture = (
  at: string | undefined,
  now: string,
  field: string,
  detail = 'Must not be in the future',
) => {
  if (at !== undefined && Date.parse(at) > Date.parse(now))
    throw new ValidationFailed([{ in: 'body', field, detail }]);
  return canonicalInstant(at ?? now);
};

/**
 * One spelling per instant (`…:05Z`, `…:05.0Z` and `…:05.000Z` are the same second): stored times
 * sort as text (timeline keys, first/last purchase), so they are stored with milliseconds, in UTC.
 */
export const canonicalInstant = (at: string): string => new Date(at).toISOString();

/** The earlier / later of two ISO-8601 UTC timestamps (they sort as text). */
export const earlier = (a: string, b: string): string => [a, b].sort()[0] as string;
export const later = (a: string, b: string): string => [a, b].sort()[1] as string;
