import { buildEvent } from '#events/catalog';
import * as store from '#shared/data/companies';
import { getCustomersByIds } from '#shared/data/customers';
import type { Actor } from '#shared/domain/actor';
import {
  applyCompanyPatch,
  assertMayCreateCompany,
  assertMayDeleteCompany,
  assertMayEditCompany,
  assertNoPeopleLinked,
  newCompany,
} from '#shared/domain/company';
import { NotFound, VersionMismatch } from '#shared/domain/errors';
import { newId, nowIso } from '#shared/ids';
import type { Company, CreateCompanyRequest, UpdateCompanyRequest } from '#shared/schemas/company';
import { eventMeta } from './event-meta.ts';
import { retryLostRaces } from './retry-races.ts';

/** Company use cases: the rules of shared/domain/company.ts applied to the data of shared/data/companies.ts. */

const readForChange = async (id: string, ifMatch?: number | '*'): Promise<Company> => {
  const current = await store.getCompany(id, { consistent: true });
  if (!current) throw new NotFound(`No company ${id}.`);
  if (typeof ifMatch === 'number' && ifMatch !== current.version) {
    throw new VersionMismatch(`The company is at version ${current.version}, not ${ifMatch}.`);
  }
  return current;
};

/**
 * 1. Check the caller may create (and may name the owner).
 * 2. Build the company from the request.
 * 3. Write it with its domain guard and `company.created` in one transaction (a taken domain is a
 *    Conflict naming the company that holds it).
 */
export const createCompany = async (actor: Actor, input: CreateCompanyRequest): Promise<Company> => {
  assertMayCreateCompany(actor, input.ownerId);
  const now = nowIso();
  const company = newCompany(input, actor, { id: newId(), now });
  await store.insertCompany(company, buildEvent('company.created', { company }, eventMeta(actor, now)));
  return company;
};

/** Every role may read every company. */
export const getCompany = async (_actor: Actor, id: string): Promise<Company> => {
  const company = await store.getCompany(id);
  if (!company) throw new NotFound(`No company ${id}.`);
  return company;
};

/**
 * 1. Read the company; check If-Match and the caller's right to edit it.
 * 2. Apply the merge patch; nothing changed → return it as it is (no write, no event).
 * 3. Write the next version conditionally, swapping domain guards, with `company.updated`. A lost
 *    race is a 412 with If-Match, else the change is re-applied to the fresh record.
 */
export const updateCompany = (
  actor: Actor,
  id: string,
  patch: UpdateCompanyRequest,
  ifMatch?: number | '*',
): Promise<Company> =>
  retryLostRaces(
    async () => {
      const current = await readForChange(id, ifMatch);
      assertMayEditCompany(actor, current, patch);
      const now = nowIso();
      const { next, changed } = applyCompanyPatch(current, patch, now);
      if (changed.length === 0) return current;
      const event = buildEvent(
        'company.updated',
        { company: next, changedFields: changed },
        eventMeta(actor, now),
      );
      await store.replaceCompany(current, next, event);
      return next;
    },
    { versionPinned: typeof ifMatch === 'number' },
  );

/**
 * 1. Check the caller may delete; read the company and check If-Match.
 * 2. Refuse while people are linked to it (409 saying how many).
 * 3. Delete it with its domain guard, on condition that still no one is linked, recording
 *    `company.deleted`; someone linked meanwhile → read again (and refuse).
 */
export const deleteCompany = async (actor: Actor, id: string, ifMatch?: number | '*'): Promise<void> => {
  assertMayDeleteCompany(actor);
  await retryLostRaces(
    async () => {
      const current = await readForChange(id, ifMatch);
      assertNoPeopleLinked(await store.countPeople(id));
      const event = buildEvent(
        'company.deleted',
        { companyId: id, deletedBy: actor.userId },
        eventMeta(actor, nowIso()),
      );
      await store.removeCompany(current, event);
    },
    { versionPinned: typeof ifMatch === 'number' },
  );
};

export const listCompanies = async (_actor: Actor, query: store.CompanyListQuery) =>
  store.listCompanies(query);

/** The people linked to a company (their customer records), newest first. */
export const listPeople = async (actor: Actor, id: string, page: { limit: number; cursor?: string }) => {
  await getCompany(actor, id);
  const { ids, nextCursor } = await store.listPeopleIds(id, page);
  return { items: await getCustomersByIds(ids), nextCursor };
};
