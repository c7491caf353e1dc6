import { type CreateCustomerRequest, Customer, type UpdateCustomerRequest } from '#shared/schemas/customer';
import { type Actor, hasAnyRole } from './actor.ts';
import { Forbidden, ValidationFailed } from './errors.ts';
import { notInFuture } from './time.ts';

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
type ConsentInput = NonNullable<CreateCustomerRequest['consent']>;
type ConsentChannel = keyof ConsentInput;

const consentFrom = (
  input: NonNullable<ConsentInput[ConsentChannel]>,
  channel: ConsentChannel,
  now: string,
) => {
  const at = notInFuture(input.at, now, `consent.${channel}.at`, 'Consent cannot be given in the future');
  return { status: input.status, source: input.source, at };
};

/** Consent as given per channel, merged over what the customer had; e-mail is always stated. */
const mergeConsent = (
  current: Customer['consent'] | undefined,
  input: ConsentInput | undefined,
  now: string,
) => {
  const next: Customer['consent'] = { ...(current ?? { email: { status: 'unknown' } }) };
  for (const channel of Object.keys(input ?? {}) as ConsentChannel[]) {
    const given = input?.[channel];
    if (given) next[channel] = consentFrom(given, channel, now);
  }
  return next;
};

/** Fields a merge patch merges key by key; every other field it replaces (or clears with null). */
const MERGED_FIELDS = new Set<string>(['consent', 'customFields']);

export const newCustomer = (
  input: CreateCustomerRequest,
  actor: Actor,
  ids: { id: string; now: string },
): Customer => {
  const { consent, customFields, emails, phones, tags, lifecycleStage, ownerId, ...rest } = input;
  return {
    ...rest,
    id: ids.id,
    emails: emails ?? [],
    phones: phones ?? [],
    tags: tags ?? [],
    lifecycleStage: lifecycleStage ?? 'lead',
    ownerId: ownerId ?? actor.userId,
    consent: mergeConsent(undefined, consent, ids.now),
    customFields: customFields ?? {},
    version: 1,
    createdAt: ids.now,
    updatedAt: ids.now,
    createdBy: actor.userId,
  };
};

/**
 * Applies a JSON merge patch (absent = unchanged, null = cleared, arrays and objects other than
 * consent and custom fields replaced); returns the next state and the fields that changed.
 */
export const applyPatch = (
  current: Customer,
  patch: UpdateCustomerRequest,
  now: string,
): { next: Customer; changed: string[] } => {
  const next: Record<string, unknown> = { ...current, customFields: { ...current.customFields } };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || MERGED_FIELDS.has(key)) continue;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (patch.consent) next.consent = mergeConsent(current.consent, patch.consent, now);
  const fields = next.customFields as Customer['customFields'];
  for (const [key, value] of Object.entries(patch.customFields ?? {})) {
    if (value === null) delete fields[key];
    else fields[key] = value;
  }
  const changed = [...new Set([...Object.keys(next), ...Object.keys(current)])].filter(
    (key) => JSON.stringify(next[key]) !== JSON.stringify((current as Record<string, unknown>)[key]),
  );
  if (changed.length === 0) return { next: current, changed };
  return { next: { ...(next as Customer), version: current.version + 1, updatedAt: now }, changed };
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
 * limits and still break the record's (51 custom fields after the merge). Checked before the
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
