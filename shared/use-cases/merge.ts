import { buildEvent, type DomainEvent } from '#events/catalog';
import { config } from '#shared/config';
import { mergedCompanyLinkWrites } from '#shared/data/companies';
import { moveCustomerChildren } from '#shared/data/customer-record';
import * as store from '#shared/data/customers';
import { timelinePut } from '#shared/data/timeline';
import { lifecycleChange } from '#shared/domain/activity';
import type { Actor } from '#shared/domain/actor';
import { assertValidCustomer } from '#shared/domain/customer';
import { Conflict, NotFound, ValidationFailed } from '#shared/domain/errors';
import { assertMayMerge, mergeCustomers } from '#shared/domain/merge';
import { newId, nowIso } from '#shared/ids';
import type { Customer } from '#shared/schemas/customer';
import { readForChange } from './customers.ts';
import { eventMeta } from './event-meta.ts';
import { retryLostRaces } from './retry-races.ts';

/** The source as the merge finds it: still there, already merged into the target, or neither. */
const readSource = async (sourceId: string, targetId: string): Promise<Customer | 'already-merged'> => {
  const source = await store.getCustomer(sourceId, { consistent: true });
  if (source) return source;
  const tombstone = await store.getTombstone(sourceId);
  if (tombstone?.fate === 'merged' && tombstone.mergedInto === targetId) return 'already-merged';
  if (tombstone?.fate === 'merged') {
    throw new Conflict(
      `Customer ${sourceId} was already merged into ${tombstone.mergedInto}.`,
      tombstone.mergedInto,
      [{ in: 'body', field: 'sourceId', detail: 'Already merged into another customer' }],
    );
  }
  throw new NotFound(`No customer ${sourceId} to merge (sourceId).`);
};

/** A union over a list's limit is refused, naming the field, rather than dropping anything. */
const validMerge = (merged: Customer): Customer => {
  try {
    return assertValidCustomer(merged);
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    throw new Conflict(
      'The merged customer would break a limit (e.g. too many e-mail addresses): remove values from one of them first.',
      undefined,
      error.issues,
    );
  }
};

/**
 * 1. Read both (the target as for any change; the source may already be merged into the target:
 *    then only step 4 is left); check the caller may edit both.
 * 2. Merge the records (shared/domain/merge.ts) and validate the result.
 * 3. In one transaction: the merged profile, the source's removal and tombstone (its id now
 *    redirects), guards, tags and company link handed over, a pointer to the source, the stage
 *    change if any,
 *    `customer.merged` (and `customer.lifecycle_changed`). A lost race is retried on fresh data.
 * 4. Move the source's children (timeline, ledger) to the target in idempotent steps; the cleanup
 *    consumer runs the same step on `customer.merged`, so a request that dies here still completes.
 */
export const mergeCustomer = async (actor: Actor, targetId: string, sourceId: string): Promise<Customer> => {
  const merged = await retryLostRaces(
    async () => {
      const target = await readForChange(targetId);
      if (sourceId === targetId) {
        throw new ValidationFailed([
          { in: 'body', field: 'sourceId', detail: 'Must differ from the customer id' },
        ]);
      }
      const source = await readSource(sourceId, targetId);
      assertMayMerge(actor, target, source === 'already-merged' ? undefined : source);
      if (source === 'already-merged') return target;
      const now = nowIso();
      const next = validMerge(mergeCustomers(target, source, now, config.lifecycleThresholds));
      const change = lifecycleChange(target, next, 'merge', actor, { id: newId(), now });
      const events: DomainEvent[] = [
        buildEvent('customer.merged', { customer: next, mergedId: sourceId }, eventMeta(actor, now)),
        ...(change ? [buildEvent('customer.lifecycle_changed', { change }, eventMeta(actor, now))] : []),
      ];
      await store.commitMerge(
        {
          target,
          source,
          merged: next,
          tombstone: {
            fate: 'merged',
            customerId: sourceId,
            mergedInto: targetId,
            at: now,
            by: actor.userId,
          },
        },
        events,
        [
          ...mergedCompanyLinkWrites(target, source, next.companyId),
          store.mergedFromPut(targetId, sourceId, now),
          ...store.lastPurchaseWrites(source, undefined),
          ...store.lastPurchaseWrites(target, next),
          ...(change ? [timelinePut(change)] : []),
        ],
      );
      return next;
    },
    { versionPinned: false },
  );
  await moveCustomerChildren(sourceId, targetId);
  return merged;
};

/** Finishes a merge's moves (the cleanup consumer, on `customer.merged`). */
export const finishMerge = (sourceId: string, targetId: string): Promise<number> =>
  moveCustomerChildren(sourceId, targetId);
