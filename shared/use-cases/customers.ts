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
  assertValidCustomer,
  newCustomer,
} from '#shared/domain/customer';
import { NotFound, VersionMismatch } from '#shared/domain/errors';
import { newId, nowIso } from '#shared/ids';
import type { CreateCustomerRequest, Customer, UpdateCustomerRequest } from '#shared/schemas/customer';
import { eventMeta } from './event-meta.ts';
import { retryLostRaces } from './retry-races.ts';

/** Customer use cases: the rules of shared/domain/customer.ts applied to the data of shared/data/customers.ts. */

/** The record a change starts from: read strongly consistent (it must be the latest version), checked against If-Match. */
export const readForChange = async (id: string, ifMatch?: number | '*'): Promise<Customer> => {
  const current = await store.getCustomer(id, { consistent: true });
  if (!current) throw new NotFound(`No customer ${id}.`);
  if (typeof ifMatch === 'number' && ifMatch !== current.version) {
    throw new VersionMismatch(`The customer is at version ${current.version}, not ${ifMatch}.`);
  }
  return current;
};

/**
 * 1. Check the caller may create (and may name the owner).
 * 2. Build the customer from the request.
 * 3. Write it with its e-mail guards, tags and `customer.created` event in one transaction
 *    (a taken e-mail address is a Conflict naming the customer that holds it).
 */
export const createCustomer = async (
  actor: Actor,
  input: CreateCustomerRequest,
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<Customer> => {
  assertMayCreate(actor, input.ownerId);
  const now = nowIso();
  const customer = assertValidCustomer(newCustomer(input, actor, { id: newId(), now }));
  await store.insertCustomer(
    customer,
    buildEvent('customer.created', { customer }, eventMeta(actor, now)),
    extraWrites,
  );
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
export const updateCustomer = (
  actor: Actor,
  id: string,
  patchOrMerge: UpdateCustomerRequest | ((current: Customer) => UpdateCustomerRequest),
  ifMatch?: number | '*',
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<Customer> =>
  retryLostRaces(
    async () => {
      const current = await readForChange(id, ifMatch);
      // An import merges a row into what the customer has now: its patch depends on the fresh read.
      const patch = typeof patchOrMerge === 'function' ? patchOrMerge(current) : patchOrMerge;
      assertMayEdit(actor, current, patch);
      const now = nowIso();
      const { next, changed } = applyPatch(current, patch, now);
      if (changed.length === 0) return current;
      assertValidCustomer(next);
      const change = lifecycleChange(current, next, 'manual', actor, { id: newId(), now });
      const events: DomainEvent[] = [
        buildEvent('customer.updated', { customer: next, changedFields: changed }, eventMeta(actor, now)),
        ...(change ? [buildEvent('customer.lifecycle_changed', { change }, eventMeta(actor, now))] : []),
      ];
      await store.replaceCustomer(current, next, events, [
        ...extraWrites,
        ...(change ? [timelinePut(change)] : []),
      ]);
      return next;
    },
    { versionPinned: typeof ifMatch === 'number' },
  );

/**
 * 1. Check the caller may delete; read the customer and check If-Match.
 * 2. Delete it with its guards and tags, recording `customer.deleted`; retry a lost race as update does.
 */
export const deleteCustomer = async (actor: Actor, id: string, ifMatch?: number | '*'): Promise<void> => {
  assertMayDelete(actor);
  await retryLostRaces(
    async () => {
      const current = await readForChange(id, ifMatch);
      const event = buildEvent(
        'customer.deleted',
        { customerId: id, deletedBy: actor.userId },
        eventMeta(actor, nowIso()),
      );
      await store.removeCustomer(current, event);
    },
    { versionPinned: typeof ifMatch === 'number' },
  );
};

export const listCustomers = async (_actor: Actor, query: store.CustomerListQuery) =>
  store.listCustomers(query);

/** Likely duplicates of a customer (similar e-mail, same name and company), each with the reason. */
export const findDuplicates = async (actor: Actor, id: string) => {
  const customer = await getCustomer(actor, id);
  return { items: await store.findDuplicates(customer) };
};
