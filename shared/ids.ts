import { createHash } from 'node:crypto';
import { encodeTime, monotonicFactory } from 'ulidx';

/** ULIDs: unique, and sorted by creation time, which the list indexes rely on. */
export const newId: () => string = monotonicFactory();

export const nowIso = (): string => new Date().toISOString();

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID derived from `seed` and an instant instead of randomness: the same inputs give the same
 * id (an SES event delivered twice names one timeline entry), and it still sorts by `at`.
 */
export const derivedId = (seed: string, at: string): string => {
  const digest = createHash('sha256').update(seed).digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[(digest[i] as number) % 32];
  return `${encodeTime(Date.parse(at), 10)}${random}`;
};
