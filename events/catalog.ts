import * as z from 'zod';
import { Interaction, LifecycleChange, Purchase, Unsubscribe } from '#shared/schemas/activity';
import { Company } from '#shared/schemas/company';
import { Customer, PurchaseSummary } from '#shared/schemas/customer';

/**
 * The event catalog: every event Cirrus CRM puts on its bus, with its detail-type, version and
 * zod schema. Producers build events with `buildEvent`, consumers parse with `parseDetail`; the
 * contract test (test/unit/event-contracts.test.ts) checks the JSON fixtures under events/fixtures.
 */
export const EVENT_SOURCE = 'cirrus.crm';

export const EventMetadata = z.strictObject({
  eventId: z.string().min(1).max(64),
  /** Schema version of `data`; a breaking change gets a new version, not a silent edit. */
  version: z.int().min(1),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1).max(128),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

/**
 * `personalDataOf` names the customer whose personal data the event carries: outbox items of such
 * events are indexed by that customer, so a GDPR erase can purge them (events that carry ids only
 * leave it out).
 */
const definition = <T extends string, S extends z.ZodType>(
  detailType: T,
  version: number,
  data: S,
  personalDataOf?: (data: z.infer<S>) => string,
) => ({
  detailType,
  version,
  data,
  personalDataOf,
  detail: z.strictObject({ metadata: EventMetadata.extend({ version: z.literal(version) }), data }),
});

export const catalog = {
  'customer.created': definition(
    'customer.created',
    1,
    z.strictObject({ customer: Customer }),
    (data) => data.customer.id,
  ),
  'customer.updated': definition(
    'customer.updated',
    1,
    z.strictObject({ customer: Customer, changedFields: z.array(z.string()).min(1) }),
    (data) => data.customer.id,
  ),
  'customer.deleted': definition(
    'customer.deleted',
    1,
    z.strictObject({ customerId: z.string(), deletedBy: z.string() }),
  ),
  'customer.lifecycle_changed': definition(
    'customer.lifecycle_changed',
    1,
    z.strictObject({ change: LifecycleChange }),
    (data) => data.change.customerId,
  ),
  'purchase.recorded': definition(
    'purchase.recorded',
    1,
    z.strictObject({ purchase: Purchase, purchaseSummary: PurchaseSummary }),
    (data) => data.purchase.customerId,
  ),
  'interaction.logged': definition(
    'interaction.logged',
    1,
    z.strictObject({ interaction: Interaction }),
    (data) => data.interaction.customerId,
  ),
  'interaction.updated': definition(
    'interaction.updated',
    1,
    z.strictObject({ interaction: Interaction }),
    (data) => data.interaction.customerId,
  ),
  'customer.merged': definition(
    'customer.merged',
    1,
    z.strictObject({
      customer: Customer,
      mergedId: z.string().meta({ description: 'The id merged into `customer`; it now redirects there' }),
    }),
    (data) => data.customer.id,
  ),
  'customer.erased': definition(
    'customer.erased',
    1,
    z.strictObject({ customerId: z.string(), erasedBy: z.string(), erasedAt: z.iso.datetime() }),
  ),
  /** Ids only (no address): campaign counters count it by `entry.campaignId`. */
  'customer.unsubscribed': definition('customer.unsubscribed', 1, z.strictObject({ entry: Unsubscribe })),
  'company.created': definition('company.created', 1, z.strictObject({ company: Company })),
  'company.updated': definition(
    'company.updated',
    1,
    z.strictObject({ company: Company, changedFields: z.array(z.string()).min(1) }),
  ),
  'company.deleted': definition(
    'company.deleted',
    1,
    z.strictObject({ companyId: z.string(), deletedBy: z.string() }),
  ),
  /** Counts only: no personal data of the imported people. */
  'import.completed': definition(
    'import.completed',
    1,
    z.strictObject({
      importId: z.string(),
      importedBy: z.string(),
      status: z.enum(['completed', 'failed']),
      total: z.int().min(0),
      created: z.int().min(0),
      updated: z.int().min(0),
      unchanged: z.int().min(0),
      skipped: z.int().min(0),
    }),
  ),
} as const;

export type DetailType = keyof typeof catalog;
export type EventData<T extends DetailType> = z.infer<(typeof catalog)[T]['data']>;
export type EventDetail<T extends DetailType> = z.infer<(typeof catalog)[T]['detail']>;

/** A domain event ready for the outbox: detail-type plus the detail object EventBridge will carry. */
export interface DomainEvent<T extends DetailType = DetailType> {
  detailType: T;
  detail: EventDetail<T>;
}

export const buildEvent = <T extends DetailType>(
  detailType: T,
  data: EventData<T>,
  meta: { eventId: string; occurredAt: string; correlationId: string },
): DomainEvent<T> => ({
  detailType,
  detail: { metadata: { ...meta, version: catalog[detailType].version }, data } as EventDetail<T>,
});

/** The customer whose personal data the event carries, if any. */
export const personalDataOf = (event: DomainEvent): string | undefined =>
  (catalog[event.detailType].personalDataOf as ((data: unknown) => string) | undefined)?.(event.detail.data);

/** Parses an EventBridge event's detail against the catalog; throws a ZodError when it does not fit. */
export const parseDetail = <T extends DetailType>(detailType: T, detail: unknown): EventDetail<T> =>
  catalog[detailType].detail.parse(detail) as EventDetail<T>;

/** JSON Schema of every event's detail, for people who consume the bus from outside. */
export const eventJsonSchemas = () =>
  Object.fromEntries(
    Object.values(catalog).map((event) => [event.detailType, z.toJSONSchema(event.detail, { io: 'output' })]),
  );
