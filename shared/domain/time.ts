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
  return at ?? now;
};
