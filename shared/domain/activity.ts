import { isDeepStrictEqual } from 'node:util';
import type {
  Interaction,
  LifecycleChange,
  LogInteractionRequest,
  Purchase,
  RecordPurchaseRequest,
  UpdateInteractionRequest,
} from '#shared/schemas/activity';
import type { Customer, PurchaseSummary } from '#shared/schemas/customer';
import { type Actor, hasAnyRole } from './actor.ts';
import { Conflict, Forbidden, ValidationFailed } from './errors.ts';
import { notInFuture } from './time.ts';

/** Rules for what happens with a customer: purchases, interactions and lifecycle changes. Pure. */

/** Sales reps act on the customers they own; admins, managers and marketing on all. */
export const assertMayRecordPurchase = (actor: Actor, customer: Customer): void => {
  const owns = customer.ownerId === actor.userId && hasAnyRole(actor, ['sales']);
  if (!owns && !hasAnyRole(actor, ['admin', 'manager', 'marketing'])) {
    throw new Forbidden('You may not record purchases for this customer.');
  }
};

/** Support logs interactions with anyone; sales reps with the customers they own. */
export const assertMayLogInteraction = (actor: Actor, customer: Customer): void => {
  const owns = customer.ownerId === actor.userId && hasAnyRole(actor, ['sales']);
  if (!owns && !hasAnyRole(actor, ['admin', 'manager', 'marketing', 'support'])) {
    throw new Forbidden('You may not log interactions for this customer.');
  }
};

/**
 * Correcting an interaction: support, admins and managers on anyone's; sales reps on the customers
 * they own; anyone on what they wrote themselves.
 */
export const assertMayEditInteraction = (
  actor: Actor,
  customer: Customer,
  interaction: Interaction,
): void => {
  const owns = customer.ownerId === actor.userId && hasAnyRole(actor, ['sales']);
  const wroteIt = interaction.author === actor.userId;
  if (!owns && !wroteIt && !hasAnyRole(actor, ['admin', 'manager', 'support'])) {
    throw new Forbidden('You may not edit interactions of this customer.');
  }
};

export const editInteraction = (
  interaction: Interaction,
  changes: UpdateInteractionRequest,
  actor: Actor,
  now: string,
): Interaction => ({
  ...interaction,
  ...changes,
  editedBy: actor.userId,
  editedAt: now,
  revision: (interaction.revision ?? 0) + 1,
});

/**
 * An order id recorded again must be the same order (a retried webhook): other details under the
 * same id would be silently dropped, so they are a conflict naming what differs.
 */
export const assertSameOrder = (recorded: Purchase, input: RecordPurchaseRequest): Purchase => {
  const differs = [
    recorded.amount !== input.amount && 'amount',
    recorded.currency !== input.currency && 'currency',
    recorded.discount !== input.discount && 'discount',
    recorded.channel !== input.channel && 'channel',
    // Deep equality: items read back from DynamoDB keep their values, not their key order.
    !isDeepStrictEqual(recorded.items, input.items) && 'items',
    input.purchasedAt !== undefined &&
      Date.parse(input.purchasedAt) !== Date.parse(recorded.occurredAt) &&
      'purchasedAt',
  ].filter((field): field is string => field !== false);
  if (differs.length > 0) {
    throw new Conflict(
      `Order ${recorded.externalOrderId} is already recorded with other details.`,
      recorded.customerId,
      differs.map((field) => ({
        in: 'body',
        field,
        detail: 'Differs from the order recorded with this externalOrderId',
      })),
    );
  }
  return recorded;
};

/** When items are given, they must add up: items − discount = amount. */
export const newPurchase = (
  input: RecordPurchaseRequest,
  customerId: string,
  actor: Actor,
  ids: { id: string; now: string },
): Purchase => {
  const itemsTotal = input.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  if (input.items.length > 0 && itemsTotal - input.discount !== input.amount) {
    throw new ValidationFailed([
      {
        in: 'body',
        field: 'amount',
        detail: `Items add up to ${itemsTotal} minus discount ${input.discount} = ${itemsTotal - input.discount}, not ${input.amount}`,
      },
    ]);
  }
  return {
    kind: 'purchase',
    id: ids.id,
    customerId,
    amount: input.amount,
    currency: input.currency,
    items: input.items,
    discount: input.discount,
    channel: input.channel,
    occurredAt: notInFuture(input.purchasedAt, ids.now, 'purchasedAt'),
    ...(input.externalOrderId ? { externalOrderId: input.externalOrderId } : {}),
    recordedBy: actor.userId,
    recordedAt: ids.now,
  };
};

/** The customer's aggregates with one more purchase (purchases may arrive out of order). */
export const addToSummary = (summary: PurchaseSummary | undefined, purchase: Purchase): PurchaseSummary => {
  const byCurrency = [...(summary?.byCurrency ?? [])];
  const index = byCurrency.findIndex((entry) => entry.currency === purchase.currency);
  const previous = byCurrency[index] ?? {
    currency: purchase.currency,
    orderCount: 0,
    totalSpent: 0,
    averageOrderValue: 0,
  };
  const orderCount = previous.orderCount + 1;
  const totalSpent = previous.totalSpent + purchase.amount;
  const entry = {
    currency: purchase.currency,
    orderCount,
    totalSpent,
    averageOrderValue: Math.round(totalSpent / orderCount),
  };
  if (index === -1) byCurrency.push(entry);
  else byCurrency[index] = entry;
  const at = purchase.occurredAt;
  return {
    orderCount: (summary?.orderCount ?? 0) + 1,
    firstPurchaseAt: summary && summary.firstPurchaseAt < at ? summary.firstPurchaseAt : at,
    lastPurchaseAt: summary && summary.lastPurchaseAt > at ? summary.lastPurchaseAt : at,
    byCurrency,
  };
};

export const lifecycleChange = (
  before: Customer,
  after: Customer,
  reason: LifecycleChange['reason'],
  actor: Actor,
  ids: { id: string; now: string },
): LifecycleChange | undefined =>
  before.lifecycleStage === after.lifecycleStage
    ? undefined
    : {
        kind: 'lifecycle-change',
        id: ids.id,
        customerId: after.id,
        from: before.lifecycleStage,
        to: after.lifecycleStage,
        reason,
        changedBy: actor.userId,
        occurredAt: ids.now,
      };

export const newInteraction = (
  input: LogInteractionRequest,
  customerId: string,
  actor: Actor,
  ids: { id: string; now: string },
): Interaction => ({
  kind: 'interaction',
  id: ids.id,
  customerId,
  type: input.type,
  channel: input.channel,
  direction: input.direction,
  occurredAt: notInFuture(input.occurredAt, ids.now, 'occurredAt'),
  summary: input.summary,
  author: actor.userId,
});
