import type { Company, CreateCompanyRequest, UpdateCompanyRequest } from '#shared/schemas/company';
import { type Actor, hasAnyRole } from './actor.ts';
import { Conflict, Forbidden } from './errors.ts';

/** Company rules: who may do what, and how a request turns into the next state. Pure functions. */

const CREATE = ['admin', 'manager', 'sales'] as const;
const EDIT_ALL = ['admin', 'manager'] as const;
const ASSIGN_OWNER = ['admin', 'manager'] as const;
const DELETE = ['admin', 'manager'] as const;

export const assertMayCreateCompany = (actor: Actor, ownerId: string | undefined): void => {
  if (!hasAnyRole(actor, CREATE)) throw new Forbidden('Your role may not create companies.');
  if (ownerId !== undefined && ownerId !== actor.userId && !hasAnyRole(actor, ASSIGN_OWNER)) {
    throw new Forbidden('Only admins and managers may create a company owned by someone else.');
  }
};

/** Sales reps edit the companies they own; admins and managers edit all. */
export const assertMayEditCompany = (actor: Actor, company: Company, patch: UpdateCompanyRequest): void => {
  const ownsIt = company.ownerId === actor.userId && hasAnyRole(actor, ['sales']);
  if (!ownsIt && !hasAnyRole(actor, EDIT_ALL)) throw new Forbidden('You may not edit this company.');
  if (patch.ownerId !== undefined && patch.ownerId !== company.ownerId && !hasAnyRole(actor, ASSIGN_OWNER)) {
    throw new Forbidden('Only admins and managers may change the owner.');
  }
};

export const assertMayDeleteCompany = (actor: Actor): void => {
  if (!hasAnyRole(actor, DELETE)) throw new Forbidden('Only admins and managers may delete companies.');
};

/** A company that people still work for is not deleted: their links would point nowhere. */
export const assertNoPeopleLinked = (peopleCount: number): void => {
  if (peopleCount > 0) {
    const people = peopleCount === 1 ? '1 person is' : `${peopleCount} people are`;
    throw new Conflict(`${people} linked to this company; unlink them (companyId: null) first.`);
  }
};

export const newCompany = (
  input: CreateCompanyRequest,
  actor: Actor,
  ids: { id: string; now: string },
): Company => ({
  ...input,
  id: ids.id,
  tags: input.tags ?? [],
  ownerId: input.ownerId ?? actor.userId,
  version: 1,
  createdAt: ids.now,
  updatedAt: ids.now,
  createdBy: actor.userId,
});

/** Applies a JSON merge patch (absent = unchanged, null = cleared, anything else replaced). */
export const applyCompanyPatch = (
  current: Company,
  patch: UpdateCompanyRequest,
  now: string,
): { next: Company; changed: string[] } => {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  const changed = Object.keys({ ...next, ...current }).filter(
    (key) => JSON.stringify(next[key]) !== JSON.stringify((current as Record<string, unknown>)[key]),
  );
  if (changed.length === 0) return { next: current, changed };
  return { next: { ...(next as Company), version: current.version + 1, updatedAt: now }, changed };
};
