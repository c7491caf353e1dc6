import { buildEvent } from '#events/catalog';
import { config } from '#shared/config';
import * as store from '#shared/data/customers';
import { readJobState, saveJobState } from '#shared/data/job-state';
import { timelinePut } from '#shared/data/timeline';
import { lifecycleChange } from '#shared/domain/activity';
import type { Actor } from '#shared/domain/actor';
import { inactiveSince, stageAfterInactivity } from '#shared/domain/lifecycle';
import { later } from '#shared/domain/time';
import { newId } from '#shared/ids';
import { eventMeta } from './event-meta.ts';
import { retryLostRaces } from './retry-races.ts';

const JOB = 'lifecycle-review';
/** Where the first run starts: every purchase ever recorded is after it. */
const BEGINNING = '2000-01-01T00:00:00.000Z';

interface ReviewState extends Record<string, unknown> {
  /** Last purchases up to these times have been reviewed against each threshold. */
  atRiskThrough: string;
  churnedThrough: string;
}

/** The review acts as this user: the timeline and events say the system changed the stage. */
const reviewer = (correlationId: string): Actor => ({
  userId: 'system:lifecycle-review',
  roles: [],
  correlationId,
});

/** Moves one customer if the data says so, re-reading and retrying if someone writes meanwhile. */
const review = (id: string, now: string, actor: Actor) =>
  retryLostRaces(
    async () => {
      const current = await store.getCustomer(id, { consistent: true });
      const move = current && stageAfterInactivity(current, now, config.lifecycleThresholds);
      if (!current || !move) return false;
      const next = { ...current, lifecycleStage: move.stage, version: current.version + 1, updatedAt: now };
      const change = lifecycleChange(current, next, move.reason, actor, { id: newId(), now });
      if (!change) return false;
      await store.replaceCustomer(
        current,
        next,
        [
          buildEvent(
            'customer.updated',
            { customer: next, changedFields: ['lifecycleStage'] },
            eventMeta(actor, now),
          ),
          buildEvent('customer.lifecycle_changed', { change }, eventMeta(actor, now)),
        ],
        [timelinePut(change)],
      );
      return true;
    },
    { versionPinned: false },
  );

/**
 * The daily lifecycle review (scheduled):
 * 1. For each threshold (at-risk, churned), read the customers whose last purchase fell between
 *    the previous run's cut-off and today's, through the last-purchase index (one Query per month,
 *    never a Scan), so each buyer is looked at once per threshold crossed.
 * 2. Move each one the rules of shared/domain/lifecycle.ts say to move, with a timeline entry and
 *    `customer.lifecycle_changed`, as the system user.
 * 3. Save the cut-offs: a missed day is caught up by the next run; a repeated run changes nothing.
 */
export const reviewLifecycles = async (now: string, correlationId: string) => {
  const thresholds = config.lifecycleThresholds;
  const actor = reviewer(correlationId);
  const state = (await readJobState<ReviewState>(JOB)) ?? {
    atRiskThrough: BEGINNING,
    churnedThrough: BEGINNING,
  };
  const cutOffs = {
    atRiskThrough: inactiveSince(now, thresholds.atRiskAfterDays),
    churnedThrough: inactiveSince(now, thresholds.churnedAfterDays),
  };
  let reviewed = 0;
  let moved = 0;
  for (const pass of ['atRiskThrough', 'churnedThrough'] as const) {
    if (cutOffs[pass] <= state[pass]) continue;
    for await (const id of store.customersLastPurchasedBetween(state[pass], cutOffs[pass])) {
      reviewed++;
      if (await review(id, now, actor)) moved++;
    }
  }
  const next: ReviewState = {
    atRiskThrough: later(cutOffs.atRiskThrough, state.atRiskThrough),
    churnedThrough: later(cutOffs.churnedThrough, state.churnedThrough),
  };
  await saveJobState(JOB, next, now);
  return { reviewed, moved, ...next };
};
