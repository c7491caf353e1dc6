import { buildEvent, type DomainEvent } from '#events/catalog';
import * as store from '#shared/data/customers';
import { timelinePut } from '#shared/data/timeline';
import { lifecycleChange } from '#shared/domain/activity';
import type { Actor } from '#shared/domain/actor';
import {
  applyPatch,
  assertMayCreate,
  assertMayDelete,
  assertMayEdit,
  newCustomer,
} from '#shared/domain/customer';
import { ConcurrentWrite, Conflict, NotFound, VersionMismatch } from '#shared/domain/errors';
import { newId, nowIso } from '#shared/ids';
import type { CreateCustomerRequest, Customer, UpdateCustomerRequest } from '#shared/schemas/customer';

/** Customer use cases: the rules of shared/domain/customer.ts applied to the data of shared/data/customers.ts. */

/** A lost race is retried unless the caller pinned the version with If-Match. */
const isRetryable = (error: unknown, ifMatch: number | '*' | undefined) =>
  error instanceof ConcurrentWrite || (error instanceof VersionMismatch && typeof ifMatch !== 'number');

/** Without If-Match, a write that lost a race is re-applied to the fresh record this many times. */
const MAX_ATTEMPTS = 3;

const eventMeta = (actor: Actor, occurredAt: string) => ({
  eventId: newId(),
  occurredAt,
  correlationId: actor.correlationId,
});

/**
 * 1. Check the caller may create (and may name the owner).
 * 2. Build the customer from the request.
 * 3. Write it with its e-mail guards, tags and `customer.created` event in one transaction
 *    (a taken e-mail address is a Conflict naming the customer that holds it).
 */
export const createCustomer = async (actor: Actor, input: CreateCustomerRequest): Promise<Customer> => {
  assertMayCreate(actor, input.ownerId);
  const now = nowIso();
  const customer = newCustomer(input, actor, { id: newId(), now });
  await store.insertCustomer(customer, buildEvent('customer.created', { customer }, eventMeta(actor, now)));
  return customer;
};

/** Every role may read every customer. */
export const getCustomer = async (_actor: Actor, id: string): Promise<Customer> => {
  const customer = await store.getCustomer(id);
  if (!customer) throw new NotFound(`No customer ${id}.`);
  return customer;
};

/**
 * 1. Read the customer; check If-Match against its version and the caller's right to edit it.
 * 2. Apply the merge patch; nothing changed → return it as it is (no write, no event).
 * 3. Write the next version conditionally with its `customer.updated` event (and, for a new
 *    lifecycle stage, a timeline entry and `customer.lifecycle_changed`). If another writer got
 *    there first: with If-Match that is a 412; without, start again from the fresh record.
 */
export const updateCustomer = async (
  actor: Actor,
  id: string,
  patch: UpdateCustomerRequest,
  ifMatch?: number | '*',
): Promise<Customer> => {
  for (let attempt = 1; ; attempt++) {
    const current = await getCustomer(actor, id);
    if (typeof ifMatch === 'number' && ifMatch !== current.version) {
      throw new VersionMismatch(`The customer is at version ${current.version}, not ${ifMatch}.`);
    }
    assertMayEdit(actor, current, patch);
    const now = nowIso();
    const { next, changed } = applyPatch(current, patch, now);
    if (changed.length === 0) return current;
    const change = lifecycleChange(current, next, 'manual', actor, { id: newId(), now });
    const events: DomainEvent[] = [
      buildEvent('customer.updated', { customer: next, changedFields: changed }, eventMeta(actor, now)),
      ...(change ? [buildEvent('customer.lifecycle_changed', { change }, eventMeta(actor, now))] : []),
    ];
    try {
      await store.replaceCustomer(current, next, events, change ? [timelinePut(change)] : []);
      return next;
    } catch (error) {
      if (!isRetryable(error, ifMatch)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new Conflict('The customer is being changed by others; try again.');
    }
  }
};

/**
 * 1. Check the caller may delete; read the customer and check If-Match.
 * 2. Delete it with its guards and tags, recording `customer.deleted`; retry a lost race as update does.
 */
export const deleteCustomer = async (actor: Actor, id: string, ifMatch?: number | '*'): Promise<void> => {
  assertMayDelete(actor);
  for (let attempt = 1; ; attempt++) {
    const current = await getCustomer(actor, id);
    if (typeof ifMatch === 'number' && ifMatch !== current.version) {
      throw new VersionMismatch(`The customer is at version ${current.version}, not ${ifMatch}.`);
    }
    const event = buildEvent(
      'customer.deleted',
      { customerId: id, deletedBy: actor.userId },
      eventMeta(actor, nowIso()),
    );
    try {
      await store.removeCustomer(current, event);
      return;
    } catch (error) {
      if (!isRetryable(error, ifMatch)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new Conflict('The customer is being changed by others; try again.');
    }
  }
};

export const listCustomers = async (_actor: Actor, query: store.CustomerListQuery) =>
  store.listCustomers(query);
