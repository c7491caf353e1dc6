import { buildEvent, type DomainEvent } from '#events/catalog';
import * as store from '#shared/data/customers';
import { timelinePut } from '#shared/data/timeline';
import { lifecycleChange } from '#shared/domain/activity';
import type { Actor } from '#shared/domain/actor';
import { assertCustomFieldsForCreate, assertCustomFieldsPatch } from '#shared/domain/custom-fields';
import {
  applyPatch,
  assertMayCreate,
  assertMayDelete,
  assertMayEdit,
  assertValidCustomer,
  newCustomer,
} from '#shared/domain/customer';
import { CustomerMerged, type DomainError, NotFound, VersionMismatch } from '#shared/domain/errors';
import { newId, nowIso } from '#shared/ids';
import type { CreateCustomerRequest, Customer, UpdateCustomerRequest } from '#shared/schemas/customer';
import { commitWithCompanyLink, withLinkedCompanyName } from './company-link.ts';
import { customFieldDefinitions } from './custom-fields.ts';
import { eventMeta } from './event-meta.ts';
import { retryLostRaces } from './retry-races.ts';

/** Customer use cases: the rules of shared/domain/customer.ts applied to the data of shared/data/customers.ts. */

/** Where a chain of merges ends (A into B, then B into C: A redirects straight to C). */
const finalSurvivor = async (id: string): Promise<string> => {
  let survivor = id;
  for (let hops = 0; hops < 10; hops++) {
    const next = await store.getTombstone(survivor);
    if (next?.fate !== 'merged') break;
    survivor = next.mergedInto;
  }
  return survivor;
};

/** Why an id has no profile: merged (the request belongs at the survivor: 308), erased, or never there. */
export const missingCustomer = async (id: string): Promise<DomainError> => {
  const tombstone = await store.getTombstone(id);
  if (tombstone?.fate === 'merged') return new CustomerMerged(id, await finalSurvivor(tombstone.mergedInto));
  if (tombstone?.fate === 'erased')
    return new NotFound(`Customer ${id} was erased on ${tombstone.at.slice(0, 10)}.`);
  return new NotFound(`No customer ${id}.`);
};

/** The record a change starts from: read strongly consistent (it must be the latest version), checked against If-Match. */
export const readForChange = async (id: string, ifMatch?: number | '*'): Promise<Customer> => {
  const current = await store.getCustomer(id, { consistent: true });
  if (!current) throw await missingCustomer(id);
  if (typeof ifMatch === 'number' && ifMatch !== current.version) {
    throw new VersionMismatch(`The customer is at version ${current.version}, not ${ifMatch}.`);
  }
  return current;
};

/**
 * 1. Check the caller may create (and may name the owner), the custom fields against their
 *    definitions, and the linked company (its name becomes `company`).
 * 2. Build the customer from the request.
 * 3. Write it with its e-mail guards, tags, company link and `customer.created` event in one
 *    transaction (a taken e-mail address is a Conflict naming the customer that holds it).
 */
export const createCustomer = async (
  actor: Actor,
  input: CreateCustomerRequest,
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<Customer> => {
  assertMayCreate(actor, input.ownerId);
  assertCustomFieldsForCreate(input.customFields, await customFieldDefinitions());
  const now = nowIso();
  const fields = await withLinkedCompanyName(input);
  const customer = assertValidCustomer(newCustomer(fields, actor, { id: newId(), now }));
  const event = buildEvent('customer.created', { customer }, eventMeta(actor, now));
  // The link's writes come first: its ConditionCheck failing is extra write 0 (an unknown company).
  await commitWithCompanyLink({ customerId: customer.id, after: customer.companyId }, (linkWrites) =>
    store.insertCustomer(customer, event, [...linkWrites, ...extraWrites]),
  );
  return customer;
};

/** Every role may read every customer. */
export const getCustomer = async (_actor: Actor, id: string): Promise<Customer> => {
  const customer = await store.getCustomer(id);
  if (!customer) throw await missingCustomer(id);
  return customer;
};

/** The customer an id names now, following merges (an Idempotency-Key replay of a create). */
export const getCurrentCustomer = async (actor: Actor, id: string): Promise<Customer> => {
  for (let hops = 0; ; hops++) {
    try {
      return await getCustomer(actor, id);
    } catch (error) {
      if (!(error instanceof CustomerMerged) || hops >= 10) throw error;
      id = error.mergedInto;
    }
  }
};

/**
 * 1. Read the customer; check If-Match against its version and the caller's right to edit it.
 * 2. Apply the merge patch (custom fields checked against their definitions, a linked company's
 *    name copied to `company`); nothing changed → return it as it is (no write, no event).
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
      assertCustomFieldsPatch(patch.customFields, await customFieldDefinitions());
      const now = nowIso();
      const fields = await withLinkedCompanyName(patch, current.companyId);
      const { next, changed } = applyPatch(current, fields, now);
      if (changed.length === 0) return current;
      assertValidCustomer(next);
      const change = lifecycleChange(current, next, 'manual', actor, { id: newId(), now });
      const events: DomainEvent[] = [
        buildEvent('customer.updated', { customer: next, changedFields: changed }, eventMeta(actor, now)),
        ...(change ? [buildEvent('customer.lifecycle_changed', { change }, eventMeta(actor, now))] : []),
      ];
      const link = { customerId: id, before: current.companyId, after: next.companyId };
      await commitWithCompanyLink(link, (linkWrites) =>
        store.replaceCustomer(current, next, events, [
          ...linkWrites,
          ...extraWrites,
          ...(change ? [timelinePut(change)] : []),
        ]),
      );
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
      await commitWithCompanyLink({ customerId: id, before: current.companyId }, (linkWrites) =>
        store.removeCustomer(current, event, linkWrites),
      );
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
