import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '#events/catalog';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { canonicalEmail, searchKey } from '#shared/domain/contact-normalization';
import { emailChanges, phoneChanges, tagChanges } from '#shared/domain/customer';
import { ConcurrentWrite, Conflict, VersionMismatch } from '#shared/domain/errors';
import type { Customer } from '#shared/schemas/customer';
import { queryIndexPage } from './index-query.ts';
import { marketableWrites } from './marketable.ts';
import { outboxPut } from './outbox.ts';
import { withoutKeyAttributes } from './table-definition.ts';
import { ExtraWriteConditionFailed, failedConditions } from './transaction-errors.ts';

/**
 * Customer items: the profile, one uniqueness guard per e-mail address, one item per tag.
 *
 * | Access pattern                        | Index | Key condition                                        |
 * |---------------------------------------|-------|------------------------------------------------------|
 * | Get a customer by id                  | table | pk = CUSTOMER#<id>, sk = PROFILE                     |
 * | Who holds an e-mail address (unique)  | table | pk = CUSTOMER_EMAIL#<address>, sk = GUARD            |
 * | List customers, newest first          | gsi1  | gsi1pk = CUSTOMERS, gsi1sk = <id> (ULID), descending  |
 * | List customers with a tag             | gsi1  | gsi1pk = CUSTOMERS#TAG#<tag>, then BatchGet profiles |
 * | List customers in a lifecycle stage   | gsi2  | gsi2pk = CUSTOMERS#STAGE#<stage>, gsi2sk = <id>       |
 * | List customers of an owner            | gsi3  | gsi3pk = CUSTOMERS#OWNER#<ownerId>, gsi3sk = <id>     |
 *
 * Ids are ULIDs, so sorting by id is sorting by creation time. Children of a customer (tags now;
 * purchases, interactions later) live in the customer's partition.
 */
export const customerKeys = {
  partition: (id: string) => `CUSTOMER#${id}`,
  profile: (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'PROFILE' }),
  emailGuard: (address: string) => ({ pk: `CUSTOMER_EMAIL#${address}`, sk: 'GUARD' }),
  phoneGuard: (e164: string) => ({ pk: `CUSTOMER_PHONE#${e164}`, sk: 'GUARD' }),
  /** Not unique: every customer whose address has this canonical form has one. */
  similarEmail: (canonical: string, id: string) => ({ pk: `CUSTOMER_EMAIL_CANONICAL#${canonical}`, sk: id }),
  tag: (id: string, tag: string) => ({ pk: `CUSTOMER#${id}`, sk: `TAG#${tag}` }),
  /** One per buyer, indexed by the month of their last purchase (the lifecycle review's recency index). */
  lastPurchase: (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'LAST_PURCHASE' }),
  /** What became of an id that has no profile any more: merged into another, or erased. */
  tombstone: (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'TOMBSTONE' }),
  /** In the surviving customer's partition: an id merged into it (so an erase finds its tombstone). */
  mergedFrom: (id: string, sourceId: string) => ({ pk: `CUSTOMER#${id}`, sk: `MERGED_FROM#${sourceId}` }),
};

const indexes = {
  all: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: () => 'CUSTOMERS' },
  byTag: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: (tag: string) => `CUSTOMERS#TAG#${tag}` },
  byStage: { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk', value: (stage: string) => `CUSTOMERS#STAGE#${stage}` },
  byOwner: { name: 'gsi3', pk: 'gsi3pk', sk: 'gsi3sk', value: (owner: string) => `CUSTOMERS#OWNER#${owner}` },
  /** Partitioned by the first two characters of the name's search key, sorted by the key. */
  byName: {
    name: 'gsi4',
    pk: 'gsi4pk',
    sk: 'gsi4sk',
    value: (key: string) => `CUSTOMERS#NAME#${key.slice(0, 2)}`,
  },
  byCompany: { name: 'gsi5', pk: 'gsi5pk', sk: 'gsi5sk', value: (key: string) => `CUSTOMERS#COMPANY#${key}` },
  /** Last-purchase items by month (`YYYY-MM`), sorted by `<lastPurchaseAt>#<id>`. */
  byLastPurchaseMonth: {
    name: 'gsi2',
    pk: 'gsi2pk',
    sk: 'gsi2sk',
    value: (month: string) => `CUSTOMERS#LAST_PURCHASE#${month}`,
  },
} as const;

const profileItem = (customer: Customer) => ({
  ...customerKeys.profile(customer.id),
  type: 'customer',
  ...customer,
  gsi1pk: indexes.all.value(),
  gsi1sk: customer.id,
  gsi2pk: indexes.byStage.value(customer.lifecycleStage),
  gsi2sk: customer.id,
  ...(customer.ownerId ? { gsi3pk: indexes.byOwner.value(customer.ownerId), gsi3sk: customer.id } : {}),
  gsi4pk: indexes.byName.value(searchKey(customer.name)),
  gsi4sk: `${searchKey(customer.name)}#${customer.id}`,
  ...(customer.company
    ? { gsi5pk: indexes.byCompany.value(searchKey(customer.company)), gsi5sk: customer.id }
    : {}),
});

const toCustomer = (item: Record<string, unknown>): Customer => withoutKeyAttributes<Customer>(item);

const table = () => config.tableName;

/** `consistent` for read-modify-write: an eventually consistent read may return the previous version. */
export const getCustomer = async (
  id: string,
  options: { consistent?: boolean } = {},
): Promise<Customer | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: customerKeys.profile(id), ConsistentRead: options.consistent }),
  );
  return Item ? toCustomer(Item) : undefined;
};

/** A uniqueness guard: one per e-mail address and per phone number, naming the customer that holds it. */
interface ContactGuard {
  key: { pk: string; sk: string };
  type: string;
  /** Where the value sits in the request body, for the 409's field name. */
  field: string;
  label: string;
}

const contactGuards = (customer: Customer | undefined, changes: { emails: string[]; phones: string[] }) => [
  ...changes.emails.map((address) => ({
    key: customerKeys.emailGuard(address),
    type: 'customer-email-guard',
    field: `emails.${customer?.emails.findIndex((e) => e.address === address) ?? 0}.address`,
    label: `The e-mail address ${address}`,
  })),
  ...changes.phones.map((number) => ({
    key: customerKeys.phoneGuard(number),
    type: 'customer-phone-guard',
    field: `phones.${customer?.phones.findIndex((p) => p.number === number) ?? 0}.number`,
    label: `The phone number ${number}`,
  })),
];

const guardAndTagWrites = (before: Customer | undefined, after: Customer | undefined, id: string) => {
  const emails = emailChanges(before, after);
  const phones = phoneChanges(before, after);
  const tags = tagChanges(before, after);
  const added = contactGuards(after, { emails: emails.added, phones: phones.added });
  const removed = contactGuards(before, { emails: emails.removed, phones: phones.removed });
  return {
    addedGuards: added,
    writes: [
      // Added guards first: reason index 1.. of a cancellation maps straight to `addedGuards`.
      ...added.map((guard) => ({
        Put: {
          TableName: table(),
          Item: { ...guard.key, type: guard.type, customerId: id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
      ...removed.map((guard) => ({
        Delete: {
          TableName: table(),
          Key: guard.key,
          ConditionExpression: 'attribute_not_exists(pk) OR customerId = :id',
          ExpressionAttributeValues: { ':id': id },
        },
      })),
      ...emails.added.map((address) => ({
        Put: {
          TableName: table(),
          Item: {
            ...customerKeys.similarEmail(canonicalEmail(address), id),
            type: 'customer-email-canonical',
          },
        },
      })),
      ...emails.removed
        // Another of the customer's addresses may keep the same canonical form.
        .filter(
          (address) => !after?.emails.some((e) => canonicalEmail(e.address) === canonicalEmail(address)),
        )
        .map((address) => ({
          Delete: { TableName: table(), Key: customerKeys.similarEmail(canonicalEmail(address), id) },
        })),
      ...tags.added.map((tag) => ({
        Put: {
          TableName: table(),
          Item: {
            ...customerKeys.tag(id, tag),
            type: 'customer-tag',
            gsi1pk: indexes.byTag.value(tag),
            gsi1sk: id,
          },
        },
      })),
      ...tags.removed.map((tag) => ({ Delete: { TableName: table(), Key: customerKeys.tag(id, tag) } })),
    ],
  };
};

/**
 * Names the customer already holding the e-mail address or phone number whose guard made the
 * transaction fail (guard puts stand first among the writes, from `offset` on). A failure
 * elsewhere (a removed value's guard held by someone else) is reported as a concurrent write.
 */
const contactConflict = async (guards: ContactGuard[], failed: number[], offset: number) => {
  const index = failed.find((i) => i >= offset && i < offset + guards.length);
  const guard = index === undefined ? undefined : guards[index - offset];
  if (!guard) return new ConcurrentWrite('Another request changed these contact details; try again.');
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: guard.key, ConsistentRead: true }),
  );
  return new Conflict(
    `${guard.label} already belongs to another customer.`,
    Item?.customerId as string | undefined,
    [{ in: 'body', field: guard.field, detail: 'Already belongs to another customer' }],
  );
};

const versioned = (version: number) => ({
  ConditionExpression: 'version = :version',
  ExpressionAttributeValues: { ':version': version },
});

/**
 * Commits one change of a customer as a single transaction: the profile's own write (first, so
 * its condition failure is reason 0), the e-mail guards and tag items that change, the caller's
 * extra writes (timeline entries, other guards), the marketable-index entries, then the events'
 * outbox items.
 */
const commitCustomer = async (
  change: { before?: Customer; after?: Customer; profileWrite: Record<string, unknown> },
  events: readonly DomainEvent[],
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<void> => {
  const { before, after, profileWrite } = change;
  const id = after?.id ?? before?.id ?? '';
  const { writes, addedGuards } = guardAndTagWrites(before, after, id);
  // The marketable index follows in the same transaction (its suppression check fails → retried).
  const marketable = await marketableWrites(before, after);
  const firstExtra = 1 + writes.length;
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [profileWrite, ...writes, ...extraWrites, ...marketable, ...events.map(outboxPut)],
      }),
    );
  } catch (error) {
    const failed = failedConditions(error);
    if (!failed) throw error;
    if (failed.includes(0)) {
      if (before) throw new VersionMismatch('The customer changed since it was read.');
      throw error; // a new id that already exists: not the caller's doing
    }
    const extra = failed.find((index) => index >= firstExtra && index < firstExtra + extraWrites.length);
    if (extra !== undefined) throw new ExtraWriteConditionFailed(extra - firstExtra);
    throw await contactConflict(addedGuards, failed, 1);
  }
};

/**
 * Writes a new customer, its e-mail guards and tags, its created event and `extraWrites` (a company
 * link, an import row's outcome marker), all or nothing.
 */
export const insertCustomer = (
  customer: Customer,
  event: DomainEvent,
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<void> =>
  commitCustomer(
    {
      after: customer,
      profileWrite: {
        Put: {
          TableName: table(),
          Item: profileItem(customer),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
    [event],
    extraWrites,
  );

/**
 * Replaces a customer with its next state if it is still at `previous.version`, adding and removing
 * e-mail guards and tag items to match, with `extraWrites` in the same transaction. Throws
 * VersionMismatch when someone else wrote first, ExtraWriteConditionFailed when an extra write's
 * condition failed.
 */
export const replaceCustomer = (
  previous: Customer,
  next: Customer,
  events: readonly DomainEvent[],
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<void> =>
  commitCustomer(
    {
      before: previous,
      after: next,
      profileWrite: { Put: { TableName: table(), Item: profileItem(next), ...versioned(previous.version) } },
    },
    events,
    extraWrites,
  );

/** Deletes a customer still at `customer.version`, with its guards, tags and `extraWrites`, and records the event. */
export const removeCustomer = (
  customer: Customer,
  event: DomainEvent,
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<void> =>
  commitCustomer(
    {
      before: customer,
      profileWrite: {
        Delete: {
          TableName: table(),
          Key: customerKeys.profile(customer.id),
          ...versioned(customer.version),
        },
      },
    },
    [event],
    [...extraWrites, ...lastPurchaseWrites(customer, undefined)],
  );

export type Tombstone =
  | { fate: 'merged'; customerId: string; mergedInto: string; at: string; by: string }
  | { fate: 'erased'; customerId: string; at: string; by: string };

export const getTombstone = async (id: string): Promise<Tombstone | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: customerKeys.tombstone(id), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, type: _type, ...tombstone } = Item;
  return tombstone as Tombstone;
};

/** The transaction entry that writes a tombstone (replacing a `merged` one when the person is erased). */
export const tombstonePut = (tombstone: Tombstone) => ({
  Put: {
    TableName: table(),
    Item: { ...customerKeys.tombstone(tombstone.customerId), type: 'customer-tombstone', ...tombstone },
  },
});

/**
 * Step one of a GDPR erase: the profile, its guards, tags and similar-e-mail items go in one
 * transaction with the tombstone and `customer.erased`. The rest of the partition follows
 * (customer-record.ts).
 */
export const eraseProfile = (
  customer: Customer,
  tombstone: Tombstone,
  event: DomainEvent,
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<void> => removeCustomer(customer, event, [tombstonePut(tombstone), ...extraWrites]);

/** Records an erase when no profile is left (a deleted customer's leftovers): tombstone and event. */
export const recordErasure = async (tombstone: Tombstone, event: DomainEvent): Promise<void> => {
  await documentClient.send(
    new TransactWriteCommand({ TransactItems: [tombstonePut(tombstone), outboxPut(event)] }),
  );
};

/**
 * Step one of a merge, in one transaction: the merged profile replaces the target's, the source's
 * profile is deleted and a tombstone left in its place, the source's e-mail and phone guards are
 * handed to the target, its tag and similar-e-mail items re-keyed, with `customer.merged`. Both
 * profiles are version-checked: a concurrent change of either is a lost race, retried on fresh
 * data. The children (timeline, ledger) move in later steps (customer-record.ts).
 */
export const commitMerge = async (
  change: { target: Customer; source: Customer; merged: Customer; tombstone: Tombstone },
  events: readonly DomainEvent[],
  extraWrites: readonly Record<string, unknown>[],
): Promise<void> => {
  const { target, source, merged } = change;
  const handOver = (key: { pk: string; sk: string }) => ({
    Update: {
      TableName: table(),
      Key: key,
      UpdateExpression: 'SET customerId = :target',
      ConditionExpression: 'customerId = :source',
      ExpressionAttributeValues: { ':target': target.id, ':source': source.id },
    },
  });
  const sourceCanonicals = [...new Set(source.emails.map((e) => canonicalEmail(e.address)))];
  const newTags = merged.tags.filter((tag) => !target.tags.includes(tag));
  // The source leaves the marketable index; the merged record takes the target's place in it.
  const marketable = [
    ...(await marketableWrites(source, undefined)),
    ...(await marketableWrites(target, merged)),
  ];
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table(), Item: profileItem(merged), ...versioned(target.version) } },
          {
            Delete: {
              TableName: table(),
              Key: customerKeys.profile(source.id),
              ...versioned(source.version),
            },
          },
          tombstonePut(change.tombstone),
          ...source.emails.map((e) => handOver(customerKeys.emailGuard(e.address))),
          ...source.phones.map((p) => handOver(customerKeys.phoneGuard(p.number))),
          ...sourceCanonicals.flatMap((canonical) => [
            { Delete: { TableName: table(), Key: customerKeys.similarEmail(canonical, source.id) } },
            {
              Put: {
                TableName: table(),
                Item: {
                  ...customerKeys.similarEmail(canonical, target.id),
                  type: 'customer-email-canonical',
                },
              },
            },
          ]),
          ...source.tags.map((tag) => ({
            Delete: { TableName: table(), Key: customerKeys.tag(source.id, tag) },
          })),
          ...newTags.map((tag) => ({
            Put: {
              TableName: table(),
              Item: {
                ...customerKeys.tag(target.id, tag),
                type: 'customer-tag',
                gsi1pk: indexes.byTag.value(tag),
                gsi1sk: target.id,
              },
            },
          })),
          ...extraWrites,
          ...marketable,
          ...events.map(outboxPut),
        ],
      }),
    );
  } catch (error) {
    const failed = failedConditions(error);
    if (!failed) throw error;
    if (failed.includes(0) || failed.includes(1))
      throw new VersionMismatch('A customer changed during the merge.');
    throw new ConcurrentWrite('Another request changed these customers; try again.');
  }
};

/** The pointer, in the survivor's partition, to an id merged into it. */
export const mergedFromPut = (targetId: string, sourceId: string, at: string) => ({
  Put: {
    TableName: table(),
    Item: { ...customerKeys.mergedFrom(targetId, sourceId), type: 'customer-merged-from', sourceId, at },
  },
});

/** The transaction entries that keep a customer's last-purchase item in step with its profile. */
export const lastPurchaseWrites = (before: Customer | undefined, after: Customer | undefined) => {
  const last = after?.purchaseSummary?.lastPurchaseAt;
  if (after && last) {
    if (before?.id === after.id && before.purchaseSummary?.lastPurchaseAt === last) return [];
    return [
      {
        Put: {
          TableName: table(),
          Item: {
            ...customerKeys.lastPurchase(after.id),
            type: 'customer-last-purchase',
            customerId: after.id,
            lastPurchaseAt: last,
            gsi2pk: indexes.byLastPurchaseMonth.value(last.slice(0, 7)),
            gsi2sk: `${last}#${after.id}`,
          },
        },
      },
    ];
  }
  return before?.purchaseSummary
    ? [{ Delete: { TableName: table(), Key: customerKeys.lastPurchase(before.id) } }]
    : [];
};

const monthsBetween = (from: string, to: string): string[] => {
  const months: string[] = [];
  const cursor = new Date(`${from.slice(0, 7)}-01T00:00:00.000Z`);
  while (cursor.toISOString().slice(0, 7) <= to.slice(0, 7)) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() + 1);
  }
  return months;
};

/** Months read at once: the first review starts in 2000, over 300 mostly empty months. */
const MONTHS_IN_FLIGHT = 12;

/** Ids of customers whose last purchase in `month` was in (`after`, `upTo`]: every page. */
const lastPurchasedInMonth = async (month: string, after: string, upTo: string): Promise<string[]> => {
  const index = indexes.byLastPurchaseMonth;
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: table(),
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
        // `~` sorts after every id character: the bounds hold whatever the id.
        ExpressionAttributeValues: { ':pk': index.value(month), ':from': `${after}#~`, ':to': `${upTo}#~` },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) ids.push(String(item.customerId));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
};

/** Ids of customers whose last purchase was in (`after`, `upTo`]: one Query per month, never a Scan. */
export async function* customersLastPurchasedBetween(after: string, upTo: string): AsyncGenerator<string> {
  const months = monthsBetween(after, upTo);
  for (let first = 0; first < months.length; first += MONTHS_IN_FLIGHT) {
    const batch = months.slice(first, first + MONTHS_IN_FLIGHT);
    for (const ids of await Promise.all(batch.map((month) => lastPurchasedInMonth(month, after, upTo)))) {
      yield* ids;
    }
  }
}

/** Records something that happened to a customer without changing the profile (it must still exist). */
export const appendToCustomer = async (
  customerId: string,
  writes: readonly Record<string, unknown>[],
  events: readonly DomainEvent[],
): Promise<boolean> => {
  const exists = {
    ConditionCheck: {
      TableName: table(),
      Key: customerKeys.profile(customerId),
      ConditionExpression: 'attribute_exists(pk)',
    },
  };
  try {
    await documentClient.send(
      new TransactWriteCommand({ TransactItems: [exists, ...writes, ...events.map(outboxPut)] }),
    );
    return true;
  } catch (error) {
    const failed = failedConditions(error);
    if (failed?.includes(0)) return false;
    if (failed) throw new ConcurrentWrite('Another request changed this record at the same time; try again.');
    throw error;
  }
};

export interface CustomerListQuery {
  email?: string;
  phone?: string;
  namePrefix?: string;
  company?: string;
  tag?: string;
  ownerId?: string;
  lifecycleStage?: string;
  limit: number;
  cursor?: string;
}

const batchGetProfiles = async (ids: string[], consistent = false): Promise<Customer[]> => {
  let keys = ids.map(customerKeys.profile);
  const found = new Map<string, Customer>();
  // BatchGet may leave keys unprocessed under load: ask again for those (bounded).
  for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
    const { Responses, UnprocessedKeys } = await documentClient.send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: consistent } } }),
    );
    for (const item of Responses?.[table()] ?? []) found.set(item.id as string, toCustomer(item));
    keys = (UnprocessedKeys?.[table()]?.Keys ?? []) as typeof keys;
    if (keys.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
  }
  return ids.flatMap((id) => found.get(id) ?? []);
};

/** Customer profiles by id (BatchGet, at most 100), in the order of `ids`; missing ones are left out. */
export const getCustomersByIds = (
  ids: string[],
  options: { consistent?: boolean } = {},
): Promise<Customer[]> => batchGetProfiles(ids, options.consistent);

/** The customer holding an e-mail address or phone number, through its uniqueness guard. */
const byGuard = async (key: { pk: string; sk: string }): Promise<Customer[]> => {
  const { Item } = await documentClient.send(new GetCommand({ TableName: table(), Key: key }));
  const customer = Item ? await getCustomer(Item.customerId as string) : undefined;
  return customer ? [customer] : [];
};

/** Every criterion of the query; the index that served it already holds for one of them. */
const matches = (customer: Customer, query: CustomerListQuery) =>
  (query.lifecycleStage === undefined || customer.lifecycleStage === query.lifecycleStage) &&
  (query.ownerId === undefined || customer.ownerId === query.ownerId) &&
  (query.tag === undefined || customer.tags.includes(query.tag)) &&
  (query.company === undefined || searchKey(customer.company ?? '') === searchKey(query.company)) &&
  (query.namePrefix === undefined || searchKey(customer.name).startsWith(searchKey(query.namePrefix)));

/** The index that serves a query: the most selective criterion given (see the access-pattern table). */
const servingPage = async (query: CustomerListQuery) => {
  if (query.email !== undefined)
    return { customers: await byGuard(customerKeys.emailGuard(query.email)), nextCursor: null };
  if (query.phone !== undefined)
    return { customers: await byGuard(customerKeys.phoneGuard(query.phone)), nextCursor: null };
  if (query.namePrefix !== undefined) {
    const prefix = searchKey(query.namePrefix);
    const page = await queryIndexPage(indexes.byName, indexes.byName.value(prefix), query, {
      ascending: true,
      sortKeyPrefix: prefix,
    });
    return { customers: page.items.map(toCustomer), nextCursor: page.nextCursor };
  }
  if (query.company !== undefined) {
    const page = await queryIndexPage(
      indexes.byCompany,
      indexes.byCompany.value(searchKey(query.company)),
      query,
    );
    return { customers: page.items.map(toCustomer), nextCursor: page.nextCursor };
  }
  if (query.tag !== undefined) {
    const page = await queryIndexPage(indexes.byTag, indexes.byTag.value(query.tag), query);
    return {
      customers: await batchGetProfiles(page.items.map((item) => item.gsi1sk as string)),
      nextCursor: page.nextCursor,
    };
  }
  const [index, partition] =
    query.ownerId !== undefined
      ? [indexes.byOwner, indexes.byOwner.value(query.ownerId)]
      : query.lifecycleStage !== undefined
        ? [indexes.byStage, indexes.byStage.value(query.lifecycleStage)]
        : [indexes.all, indexes.all.value()];
  const page = await queryIndexPage(index, partition, query);
  return { customers: page.items.map(toCustomer), nextCursor: page.nextCursor };
};

/** One page of customers matching every criterion given; a page may hold fewer than `limit`. */
export const listCustomers = async (query: CustomerListQuery) => {
  const { customers, nextCursor } = await servingPage(query);
  return { items: customers.filter((customer) => matches(customer, query)), nextCursor };
};

/** Customers whose e-mail has the same canonical form as one of `customer`'s (pattern 20). */
const bySimilarEmail = async (customer: Customer): Promise<string[]> => {
  const canonicals = [...new Set(customer.emails.map((e) => canonicalEmail(e.address)))];
  const pages = await Promise.all(
    canonicals.map((canonical) =>
      documentClient.send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': customerKeys.similarEmail(canonical, '').pk },
          Limit: 50,
        }),
      ),
    ),
  );
  return pages.flatMap((page) => (page.Items ?? []).map((item) => item.sk as string));
};

/** Customers with the same name search key, and the same company key (pattern 21). */
const bySameNameAndCompany = async (customer: Customer): Promise<Customer[]> => {
  const key = searchKey(customer.name);
  const page = await queryIndexPage(
    indexes.byName,
    indexes.byName.value(key),
    { limit: 50 },
    { ascending: true, sortKeyPrefix: `${key}#` },
  );
  return page.items
    .map(toCustomer)
    .filter((other) => searchKey(other.company ?? '') === searchKey(customer.company ?? ''));
};

export type DuplicateReason = 'similar-email' | 'same-name-and-company';

/** Likely duplicates of a customer, each with why; at most 50 per reason. */
export const findDuplicates = async (customer: Customer) => {
  const [emailIds, sameName] = await Promise.all([bySimilarEmail(customer), bySameNameAndCompany(customer)]);
  const reasons = new Map<string, Set<DuplicateReason>>();
  const add = (id: string, reason: DuplicateReason) => {
    if (id !== customer.id) reasons.set(id, (reasons.get(id) ?? new Set()).add(reason));
  };
  for (const id of emailIds) add(id, 'similar-email');
  for (const other of sameName) add(other.id, 'same-name-and-company');
  const customers = await batchGetProfiles([...reasons.keys()]);
  return customers.map((other) => ({ customer: other, reasons: [...(reasons.get(other.id) ?? [])].sort() }));
};

/**
 * Who holds each of these e-mail addresses and phone numbers (patterns 2 and 15), read strongly
 * consistent: an import decides from it whether a row updates someone or creates a new customer.
 */
export const customersHoldingContacts = async (contacts: {
  emails: readonly string[];
  phones: readonly string[];
}): Promise<{ value: string; customerId: string }[]> => {
  const keys = [
    ...contacts.emails.map((value) => ({ value, key: customerKeys.emailGuard(value) })),
    ...contacts.phones.map((value) => ({ value, key: customerKeys.phoneGuard(value) })),
  ];
  const found = await Promise.all(
    keys.map(async ({ value, key }) => {
      const { Item } = await documentClient.send(
        new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
      );
      return Item ? [{ value, customerId: Item.customerId as string }] : [];
    }),
  );
  return found.flat();
};
