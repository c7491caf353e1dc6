import { type CreateCustomerRequest, Customer, type UpdateCustomerRequest } from '#shared/schemas/customer';
import { type Actor, hasAnyRole } from './actor.ts';
import { Forbidden, ValidationFailed } from './errors.ts';

/** Customer rules: who may do what, and how a request turns into the next state. Pure functions. */

const EDIT_ALL = ['admin', 'manager', 'marketing'] as const;
const CREATE = ['admin', 'manager', 'sales', 'marketing'] as const;
const ASSIGN_OWNER = ['admin', 'manager'] as const;
const DELETE = ['admin', 'manager'] as const;

export const assertMayCreate = (actor: Actor, ownerId: string | undefined): void => {
  if (!hasAnyRole(actor, CREATE)) throw new Forbidden('Your role may not create customers.');
  if (ownerId !== undefined && ownerId !== actor.userId && !hasAnyRole(actor, ASSIGN_OWNER)) {
    throw new Forbidden('Only admins and managers may create a customer owned by someone else.');
  }
};

/** Sales reps edit the customers they own; admins, managers and marketing edit all. */
export const assertMayEdit = (actor: Actor, customer: Customer, patch: UpdateCustomerRequest): void => {
  const ownsIt = customer.ownerId === actor.userId && hasAnyRole(actor, ['sales']);
  if (!ownsIt && !hasAnyRole(actor, EDIT_ALL)) throw new Forbidden('You may not edit this customer.');
  if (patch.ownerId !== undefined && patch.ownerId !== customer.ownerId && !hasAnyRole(actor, ASSIGN_OWNER)) {
    throw new Forbidden('Only admins and managers may change the owner.');
  }
};

export const assertMayDelete = (actor: Actor): void => {
  if (!hasAnyRole(actor, DELETE)) throw new Forbidden('Only admins and managers may delete customers.');
};

/** Consent timestamps come from the client when it recorded consent earlier, never from the future. */
type EmailConsentInput = NonNullable<NonNullable<CreateCustomerRequest['consent']>['email']>;
const consentFrom = (input: EmailConsentInput, now: string) => {
  if (input.at !== undefined && Date.parse(input.at) > Date.parse(now)) {
    throw new ValidationFailed([
      { in: 'body', field: 'consent.email.at', detail: 'Consent cannot be given in the future' },
    ]);
  }
  return { status: input.status, source: input.source, at: input.at ?? now };
};

export const newCustomer = (
  input: CreateCustomerRequest,
  actor: Actor,
  ids: { id: string; now: string },
): Customer => ({
  id: ids.id,
  name: input.name,
  emails: input.emails ?? [],
  phones: input.phones ?? [],
  company: input.company,
  title: input.title,
  tags: input.tags ?? [],
  lifecycleStage: input.lifecycleStage ?? 'lead',
  ownerId: input.ownerId ?? actor.userId,
  consent: {
    email: input.consent?.email ? consentFrom(input.consent.email, ids.now) : { status: 'unknown' },
  },
  customAttributes: input.customAttributes ?? {},
  version: 1,
  createdAt: ids.now,
  updatedAt: ids.now,
  createdBy: actor.userId,
});

/** Applies a merge patch; returns the next state and the names of the fields that really changed. */
export const applyPatch = (
  current: Customer,
  patch: UpdateCustomerRequest,
  now: string,
): { next: Customer; changed: string[] } => {
  const next: Customer = { ...current, customAttributes: { ...current.customAttributes } };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.emails !== undefined) next.emails = patch.emails;
  if (patch.phones !== undefined) next.phones = patch.phones;
  if (patch.tags !== undefined) next.tags = patch.tags;
  if (patch.lifecycleStage !== undefined) next.lifecycleStage = patch.lifecycleStage;
  if (patch.company !== undefined) next.company = patch.company ?? undefined;
  if (patch.title !== undefined) next.title = patch.title ?? undefined;
  if (patch.ownerId !== undefined) next.ownerId = patch.ownerId ?? undefined;
  if (patch.consent?.email !== undefined) next.consent = { email: consentFrom(patch.consent.email, now) };
  for (const [key, value] of Object.entries(patch.customAttributes ?? {})) {
    if (value === null) delete next.customAttributes[key];
    else next.customAttributes[key] = value;
  }
  const changed = (Object.keys(next) as (keyof Customer)[]).filter(
    (key) => JSON.stringify(next[key]) !== JSON.stringify(current[key]),
  );
  if (changed.length === 0) return { next: current, changed };
  return { next: { ...next, version: current.version + 1, updatedAt: now }, changed };
};

/** The e-mail addresses whose uniqueness guards must be added and removed for a change. */
const setChanges = (was: Set<string>, is: Set<string>) => ({
  added: [...is].filter((value) => !was.has(value)),
  removed: [...was].filter((value) => !is.has(value)),
});

export const emailChanges = (before: Customer | undefined, after: Customer | undefined) =>
  setChanges(new Set(before?.emails.map((e) => e.address)), new Set(after?.emails.map((e) => e.address)));

/** Phone numbers are unique across customers too (E.164), with their own guards. */
export const phoneChanges = (before: Customer | undefined, after: Customer | undefined) =>
  setChanges(new Set(before?.phones.map((p) => p.number)), new Set(after?.phones.map((p) => p.number)));

export const tagChanges = (before: Customer | undefined, after: Customer | undefined) =>
  setChanges(new Set(before?.tags), new Set(after?.tags));

export const hasMarketingConsent = (customer: Pick<Customer, 'consent' | 'emails'>): boolean =>
  customer.consent.email.status === 'granted' && customer.emails.length > 0;

/**
 * The state about to be written must itself be a valid customer: a merge patch can pass its own
 * limits and still break the record's (51 custom attributes after the merge). Checked before the
 * write, so a bad change is a 400 and never a stored record that later reads cannot serve.
 */
export const assertValidCustomer = (customer: Customer): Customer => {
  const result = Customer.safeParse(customer);
  if (!result.success) {
    throw new ValidationFailed(
      result.error.issues.map((issue) => ({
        in: 'body',
        field: issue.path.join('.'),
        detail: issue.message,
      })),
    );
  }
  return customer;
};
