import { buildEvent, type DomainEvent } from '#events/catalog';
import { config } from '#shared/config';
import * as customers from '#shared/data/customers';
import { findPurchaseByOrderId, orderGuardPut } from '#shared/data/purchase-orders';
import {
  findInteraction,
  interactionEditPut,
  interactionPointerPut,
  readTimeline,
  timelinePut,
} from '#shared/data/timeline';
import { ExtraWriteConditionFailed } from '#shared/data/transaction-errors';
import {
  addToSummary,
  assertMayEditInteraction,
  assertMayLogInteraction,
  assertMayRecordPurchase,
  assertSameOrder,
  editInteraction,
  lifecycleChange,
  newInteraction,
  newPurchase,
} from '#shared/domain/activity';
import type { Actor } from '#shared/domain/actor';
import { assertValidCustomer } from '#shared/domain/customer';
import { Conflict, NotFound, VersionMismatch } from '#shared/domain/errors';
import { stageAfterPurchase } from '#shared/domain/lifecycle';
import { newId, nowIso } from '#shared/ids';
import type {
  Interaction,
  LogInteractionRequest,
  Purchase,
  RecordPurchaseRequest,
  UpdateInteractionRequest,
} from '#shared/schemas/activity';
import { getCustomer, missingCustomer, readForChange } from './customers.ts';
import { eventMeta } from './event-meta.ts';
import { retryLostRaces } from './retry-races.ts';

/** Purchases, interactions and the timeline of a customer. */

/** The purchase already recorded for this order id, if any; on another customer that is a conflict. */
const alreadyRecorded = async (customerId: string, externalOrderId: string | undefined) => {
  if (externalOrderId === undefined) return undefined;
  const existing = await findPurchaseByOrderId(externalOrderId);
  if (existing && existing.customerId !== customerId) {
    throw new Conflict(
      `Order ${externalOrderId} is already recorded for another customer.`,
      existing.customerId,
      [{ in: 'body', field: 'externalOrderId', detail: 'Already recorded for another customer' }],
    );
  }
  return existing;
};

/**
 * 1. An order id seen before → return that purchase (created: false), if it is the same order.
 * 2. Read the customer; check the caller may record purchases for them.
 * 3. In one transaction: the purchase on the timeline, the order-id guard, the customer's updated
 *    aggregates and last-purchase item (and stage: a first purchase makes a lead a customer, enough
 *    orders make them loyal, buying again brings back the at-risk; recorded on the timeline),
 *    `purchase.recorded` (and `customer.lifecycle_changed`). A lost race is retried on fresh data.
 */
export const recordPurchase = async (
  actor: Actor,
  customerId: string,
  input: RecordPurchaseRequest,
): Promise<{ purchase: Purchase; created: boolean }> => {
  const seen = await alreadyRecorded(customerId, input.externalOrderId);
  if (seen) return { purchase: assertSameOrder(seen, input), created: false };
  const purchase = newPurchase(input, customerId, actor, { id: newId(), now: nowIso() });
  const guard = purchase.externalOrderId
    ? [orderGuardPut({ ...purchase, externalOrderId: purchase.externalOrderId })]
    : [];
  return retryLostRaces(
    async () => {
      const current = await readForChange(customerId);
      assertMayRecordPurchase(actor, current);
      const now = nowIso();
      const purchaseSummary = addToSummary(current.purchaseSummary, purchase);
      const move = stageAfterPurchase(current, purchaseSummary, now, config.lifecycleThresholds);
      const next = assertValidCustomer({
        ...current,
        purchaseSummary,
        lifecycleStage: move?.stage ?? current.lifecycleStage,
        version: current.version + 1,
        updatedAt: now,
      });
      const change = move && lifecycleChange(current, next, move.reason, actor, { id: newId(), now });
      const events: DomainEvent[] = [
        buildEvent('purchase.recorded', { purchase, purchaseSummary }, eventMeta(actor, now)),
        ...(change ? [buildEvent('customer.lifecycle_changed', { change }, eventMeta(actor, now))] : []),
      ];
      try {
        await customers.replaceCustomer(current, next, events, [
          ...guard,
          timelinePut(purchase),
          ...(change ? [timelinePut(change)] : []),
          ...customers.lastPurchaseWrites(current, next),
        ]);
        return { purchase, created: true };
      } catch (error) {
        // The order-id guard (extra write 0) was taken meanwhile: the same order, recorded by a twin request.
        if (error instanceof ExtraWriteConditionFailed && guard.length > 0 && error.extraIndex === 0) {
          const existing = await alreadyRecorded(customerId, input.externalOrderId);
          if (existing) return { purchase: assertSameOrder(existing, input), created: false };
        }
        throw error;
      }
    },
    { versionPinned: false },
  );
};

/**
 * 1. Read the customer; check the caller may log interactions for them.
 * 2. Put the interaction on the timeline with `interaction.logged`, if the customer still exists.
 */
export const logInteraction = async (
  actor: Actor,
  customerId: string,
  input: LogInteractionRequest,
): Promise<Interaction> => {
  const customer = await getCustomer(actor, customerId);
  assertMayLogInteraction(actor, customer);
  const now = nowIso();
  const interaction = newInteraction(input, customerId, actor, { id: newId(), now });
  const event = buildEvent('interaction.logged', { interaction }, eventMeta(actor, now));
  const writes = [timelinePut(interaction), interactionPointerPut(interaction)];
  if (!(await customers.appendToCustomer(customerId, writes, [event]))) {
    throw await missingCustomer(customerId);
  }
  return interaction;
};

/**
 * 1. Read the customer and the interaction; check the caller may edit it.
 * 2. Replace the entry if no one edited it meanwhile (with If-Match that is a 412; without, start
 *    again from the fresh entry), with `interaction.updated`, while the customer still exists.
 */
export const updateInteraction = (
  actor: Actor,
  customerId: string,
  interactionId: string,
  changes: UpdateInteractionRequest,
  ifMatch?: number | '*',
): Promise<Interaction> =>
  retryLostRaces(
    async () => {
      const customer = await getCustomer(actor, customerId);
      const interaction = await findInteraction(customerId, interactionId);
      if (!interaction) throw new NotFound(`No interaction ${interactionId} for customer ${customerId}.`);
      const revision = interaction.revision ?? 0;
      if (typeof ifMatch === 'number' && ifMatch !== revision) {
        throw new VersionMismatch(`The interaction is at revision ${revision}, not ${ifMatch}.`);
      }
      assertMayEditInteraction(actor, customer, interaction);
      const now = nowIso();
      const next = editInteraction(interaction, changes, actor, now);
      const event = buildEvent('interaction.updated', { interaction: next }, eventMeta(actor, now));
      if (!(await customers.appendToCustomer(customerId, [interactionEditPut(interaction, next)], [event]))) {
        throw await missingCustomer(customerId);
      }
      return next;
    },
    { versionPinned: typeof ifMatch === 'number' },
  );

/** A page of the timeline, newest first: one Query (plus a GetItem only when the first page is empty). */
export const getTimeline = async (
  actor: Actor,
  customerId: string,
  page: { limit: number; cursor?: string },
) => {
  const result = await readTimeline(customerId, page);
  if (result.items.length === 0 && page.cursor === undefined) await getCustomer(actor, customerId);
  return result;
};
