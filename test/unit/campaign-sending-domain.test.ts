import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_SENDER_TIMEOUT_SECONDS,
  campaignReport,
  claimAbandoned,
  emptyCounters,
  everyoneHandled,
  sendDecision,
} from '#shared/domain/campaign-progress';
import { isThrottling, SendPace, withThrottlingBackoff } from '#shared/email/send-pace';
import type { Customer } from '#shared/schemas/customer';

/** A clock that only moves when someone sleeps: pacing is checked without waiting. */
const fakeClock = () => {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
  };
};

describe('SendPace', () => {
  it('hands out tokens no faster than the rate, the first one an interval after it is made', async () => {
    const clock = fakeClock();
    const pace = new SendPace(10, clock);
    const start = clock.now();
    for (let i = 0; i < 50; i++) await pace.take();
    // 50 messages at 10/s: the last one 5 s after the pace was made, whoever sent just before.
    expect(clock.now() - start).toBeCloseTo(5000, 5);
    expect(clock.sleeps.every((ms) => ms <= 100 + 1e-9)).toBe(true);
  });

  it('does not let idle time build up a burst', async () => {
    const clock = fakeClock();
    const pace = new SendPace(2, clock);
    await pace.take();
    clock.advance(60_000);
    const before = clock.now();
    for (let i = 0; i < 5; i++) await pace.take();
    // The first goes at once (the idle minute covers its interval), then one per 500 ms.
    expect(clock.now() - before).toBeCloseTo(2000, 5);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new SendPace(0)).toThrow(/positive/);
    expect(() => new SendPace(Number.NaN)).toThrow(/positive/);
  });
});

describe('withThrottlingBackoff', () => {
  const throttling = () => Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });

  it('retries while SES throttles, waiting longer each time, and returns the result', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withThrottlingBackoff(
      async () => {
        if (++calls < 4) throw throttling();
        return 'message-id';
      },
      { baseDelayMs: 100, sleep: async (ms) => waits.push(ms) },
    );
    expect(result).toBe('message-id');
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
    for (const [i, wait] of waits.entries()) expect(wait).toBeLessThanOrEqual(100 * 2 ** i);
  });

  it('gives up after the last attempt, and never retries other errors', async () => {
    let calls = 0;
    await expect(
      withThrottlingBackoff(
        async () => {
          calls++;
          throw throttling();
        },
        { attempts: 3, sleep: async () => {} },
      ),
    ).rejects.toThrow('Maximum sending rate');
    expect(calls).toBe(3);
    calls = 0;
    const rejected = Object.assign(new Error('Illegal address'), { name: 'MessageRejected' });
    await expect(
      withThrottlingBackoff(
        async () => {
          calls++;
          throw rejected;
        },
        { sleep: async () => {} },
      ),
    ).rejects.toBe(rejected);
    expect(calls).toBe(1);
  });

  it('knows throttling by name or by the SDK retry marker', () => {
    expect(isThrottling(throttling())).toBe(true);
    expect(isThrottling(Object.assign(new Error('x'), { $retryable: { throttling: true } }))).toBe(true);
    expect(isThrottling(new Error('x'))).toBe(false);
    expect(isThrottling('Throttling')).toBe(false);
  });
});

const person = (overrides: Partial<Customer> = {}) =>
  ({
    id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    name: 'Ada Lovelace',
    emails: [{ address: 'ada@example.com', label: 'work' }],
    consent: { email: { status: 'granted', source: 'signup-form', updatedAt: '2026-01-01T00:00:00.000Z' } },
    ...overrides,
  }) as unknown as Customer;

describe('sendDecision', () => {
  it('sends to a consenting person with an address who is not suppressed', () => {
    expect(sendDecision(person(), false)).toEqual({ send: true, to: 'ada@example.com' });
  });

  it('names the reason to skip, the missing person first', () => {
    expect(sendDecision(undefined, false)).toEqual({ send: false, reason: 'gone' });
    expect(sendDecision(person({ emails: [] }), false)).toEqual({ send: false, reason: 'no-email' });
    const withdrawn = person({
      consent: { email: { status: 'denied', source: 'preferences' } } as Customer['consent'],
    });
    expect(sendDecision(withdrawn, true)).toEqual({ send: false, reason: 'no-consent' });
    expect(sendDecision(person(), true)).toEqual({ send: false, reason: 'suppressed' });
  });
});

describe('claimAbandoned', () => {
  const claimedAt = '2026-11-25T10:00:00.000Z';
  const secondsLater = (seconds: number) => new Date(Date.parse(claimedAt) + seconds * 1000).toISOString();

  it('keeps a claim its sender may still hold: up to its timeout and a minute for clocks', () => {
    expect(claimAbandoned(claimedAt, secondsLater(0))).toBe(false);
    expect(claimAbandoned(claimedAt, secondsLater(CAMPAIGN_SENDER_TIMEOUT_SECONDS))).toBe(false);
    expect(claimAbandoned(claimedAt, secondsLater(CAMPAIGN_SENDER_TIMEOUT_SECONDS + 60))).toBe(false);
  });

  it('gives up a claim older than any sender can live', () => {
    expect(claimAbandoned(claimedAt, secondsLater(CAMPAIGN_SENDER_TIMEOUT_SECONDS + 61))).toBe(true);
    expect(claimAbandoned(claimedAt, secondsLater(86_400))).toBe(true);
  });
});

describe('campaign counters', () => {
  it('is finished only when every shard has queued and everyone queued has an outcome', () => {
    const counters = { ...emptyCounters(), queued: 10, sent: 7, failed: 1, 'skipped.suppressed': 2 };
    expect(everyoneHandled(counters, 16, 16)).toBe(true);
    expect(everyoneHandled(counters, 15, 16)).toBe(false);
    expect(everyoneHandled({ ...counters, sent: 6 }, 16, 16)).toBe(false);
    expect(everyoneHandled(emptyCounters(), 16, 16)).toBe(true);
  });

  it('reports progress, tracking and results with revenue per sent e-mail per currency', () => {
    const report = campaignReport(
      {
        ...emptyCounters(),
        queued: 5,
        sent: 4,
        'skipped.no-consent': 1,
        delivered: 4,
        opened: 3,
        clicked: 2,
        conversions: 2,
        revenue: { USD: 1000, EUR: 2999, GBP: 0 },
      },
      true,
    );
    expect(report.progress).toEqual({
      queued: 5,
      queueComplete: true,
      sent: 4,
      failed: 0,
      skipped: 1,
      skippedByReason: { 'no-consent': 1, suppressed: 0, 'no-email': 0, gone: 0 },
    });
    expect(report.tracking).toMatchObject({ delivered: 4, opened: 3, clicked: 2, bounced: 0 });
    expect(report.results).toEqual({
      conversions: 2,
      revenue: [
        { currency: 'EUR', amount: 2999 },
        { currency: 'USD', amount: 1000 },
      ],
      revenuePerEmail: [
        { currency: 'EUR', amount: 749.75 },
        { currency: 'USD', amount: 250 },
      ],
    });
  });
});
