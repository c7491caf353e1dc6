import { ConcurrentWrite, Conflict, VersionMismatch } from '#shared/domain/errors';

/** A change that lost a race is re-run on fresh data this many times, with jittered backoff. */
const MAX_ATTEMPTS = 5;
const BASE_DELAY_MS = 15;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a read-modify-write `attempt` until it does not lose a race. A VersionMismatch is retried
 * only when the caller did not pin the version (If-Match); a ConcurrentWrite (another transaction
 * on the same items) always is. After the last attempt: 409, retry later.
 */
export const retryLostRaces = async <T>(
  attempt: () => Promise<T>,
  options: { versionPinned: boolean },
): Promise<T> => {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const lostRace =
        error instanceof ConcurrentWrite || (error instanceof VersionMismatch && !options.versionPinned);
      if (!lostRace) throw error;
      if (n >= MAX_ATTEMPTS) throw new Conflict('The record is being changed by others; try again.');
      // Full jitter: concurrent writers spread out instead of colliding again.
      await sleep(Math.random() * BASE_DELAY_MS * 2 ** n);
    }
  }
};

/**
 * A counted write (a record and its campaign counter shard in one transaction): another
 * transaction on the busy shard is a lost race, retried; the condition's own answer is returned.
 */
export const retryCountedWrite = <T>(write: () => Promise<T>): Promise<T> =>
  retryLostRaces(write, { versionPinned: true });
