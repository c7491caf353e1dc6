import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Keeps a sender under SES's maximum send rate: one message per interval, the first one an
 * interval after the pace is made. Make one per invocation: since even its first message waits,
 * back-to-back invocations never send closer than the interval, and concurrent invocations (each
 * with `rate / concurrency`) together never exceed the account's rate.
 */
export class SendPace {
  private nextAt: number | undefined;
  readonly intervalMs: number;

  constructor(
    messagesPerSecond: number,
    private readonly clock: { now(): number; sleep(ms: number): Promise<unknown> } = {
      now: () => Date.now(),
      sleep: (ms) => sleep(ms),
    },
  ) {
    if (!(messagesPerSecond > 0)) throw new Error(`A send rate must be positive, not ${messagesPerSecond}`);
    this.intervalMs = 1000 / messagesPerSecond;
  }

  /** Resolves when the next message may go. Calls are served in order. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.nextAt ?? now + this.intervalMs);
    this.nextAt = at + this.intervalMs;
    if (at > now) await this.clock.sleep(at - now);
  }
}

/** SES answers `Throttling` ("Maximum sending rate exceeded"); other AWS services use these too. */
const THROTTLING_NAMES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);

export const isThrottling = (error: unknown): boolean =>
  error instanceof Error &&
  (THROTTLING_NAMES.has(error.name) ||
    (error as { $retryable?: { throttling?: boolean } }).$retryable?.throttling === true);

export interface BackoffOptions {
  /** Tries in all (default 6). */
  attempts?: number;
  /** First wait (default 500 ms), doubled each time with full jitter, capped at 20 s. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Runs `send`, retrying with exponential backoff (full jitter) while SES throttles (the SES client
 * itself does not retry: see shared/clients/ses.ts): a throttled message waits, it is never
 * dropped. Other errors, and throttling past the last attempt, are thrown for the caller to
 * settle (see ses-failures.ts).
 */
export const withThrottlingBackoff = async <T>(send: () => Promise<T>, options: BackoffOptions = {}) => {
  const attempts = options.attempts ?? 6;
  const base = options.baseDelayMs ?? 500;
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!isThrottling(error) || attempt >= attempts) throw error;
      await wait(Math.random() * Math.min(20_000, base * 2 ** (attempt - 1)));
    }
  }
};
