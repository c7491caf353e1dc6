import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '#events/catalog';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { emailChanges, tagChanges } from '#shared/domain/customer';
import { ConcurrentWrite, Conflict, VersionMismatch } from '#shared/domain/errors';
import type { Customer } from '#shared/schemas/customer';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { outboxPut } from './outbox.ts';
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
  tag: (id: string, tag: string) => ({ pk: `CUSTOMER#${id}`, sk: `TAG#${tag}` }),
};

const indexes = {
  all: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: () => 'CUSTOMERS' },
  byTag: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: (tag: string) => `CUSTOMERS#TAG#${tag}` },
  byStage: { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk', value: (stage: string) => `CUSTOMERS#STAGE#${stage}` },
  byOwner: { name: 'gsi3', pk: 'gsi3pk', sk: 'gsi3sk', value: (owner: string) => `CUSTOMERS#OWNER#${owner}` },
} as const;
type IndexDef = (typeof indexes)[keyof typeof indexes];

const KEY_ATTRIBUTES = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];

const profileItem = (customer: Customer) => ({
  ...customerKeys.profile(customer.id),
  type: 'customer',
  ...customer,
  gsi1pk: indexes.all.value(),
  gsi1sk: customer.id,
  gsi2pk: indexes.byStage.value(customer.lifecycleStage),
  gsi2sk: customer.id,
  ...(customer.ownerId ? { gsi3pk: indexes.byOwner.value(customer.ownerId), gsi3sk: customer.id } : {}),
});

const toCustomer = (item: Record<string, unknown>): Customer => {
  const customer = { ...item };
  for (const key of KEY_ATTRIBUTES) delete customer[key];
  return customer as Customer;
};

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

const guardAndTagWrites = (before: Customer | undefined, after: Customer | undefined, id: string) => {
  const emails = emailChanges(before, after);
  const tags = tagChanges(before, after);
  return {
    addedEmails: emails.added,
    writes: [
      ...emails.added.map((address) => ({
        Put: {
          TableName: table(),
          Item: { ...customerKeys.emailGuard(address), type: 'customer-email-guard', customerId: id },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      })),
      ...emails.removed.map((address) => ({
        Delete: {
          TableName: table(),
          Key: customerKeys.emailGuard(address),
          ConditionExpression: 'attribute_not_exists(pk) OR customerId = :id',
          ExpressionAttributeValues: { ':id': id },
        },
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
 * Names the customer already holding an address whose guard made the transaction fail. The added
 * addresses' guard puts stand first among the writes, from `offset` on; a failure elsewhere (a
 * removed address's guard held by someone else) is reported as a concurrent write.
 */
const emailConflict = async (addresses: string[], failed: number[], offset: number, target: Customer) => {
  const index = failed.find((i) => i >= offset && i < offset + addresses.length);
  const address = index === undefined ? undefined : addresses[index - offset];
  if (address === undefined)
    return new ConcurrentWrite('Another request changed these e-mail addresses; try again.');
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: customerKeys.emailGuard(address), ConsistentRead: true }),
  );
  const field = `emails.${target.emails.findIndex((e) => e.address === address)}.address`;
  return new Conflict(
    `The e-mail address ${address} already belongs to another customer.`,
    Item?.customerId as string | undefined,
    [{ in: 'body', field, detail: 'Already belongs to another customer' }],
  );
};

const versioned = (version: number) => ({
  ConditionExpression: 'version = :version',
  ExpressionAttributeValues: { ':version': version },
});

/**
 * Commits one change of a customer as a single transaction: the profile's own write (first, so
 * its condition failure is reason 0), the e-mail guards and tag items that change, the caller's
 * extra writes (timeline entries, other guards), then the events' outbox items.
 */
const commitCustomer = async (
  change: { before?: Customer; after?: Customer; profileWrite: Record<string, unknown> },
  events: readonly DomainEvent[],
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<void> => {
  const { before, after, profileWrite } = change;
  const id = after?.id ?? before?.id ?? '';
  const { writes, addedEmails } = guardAndTagWrites(before, after, id);
  const firstExtra = 1 + writes.length;
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [profileWrite, ...writes, ...extraWrites, ...events.map(outboxPut)],
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
    if (!after) throw error;
    throw await emailConflict(addedEmails, failed, 1, after);
  }
};

/** Writes a new customer, its e-mail guards and tags, and its created event, all or nothing. */
export const insertCustomer = (customer: Customer, event: DomainEvent): Promise<void> =>
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

/** Deletes a customer still at `customer.version`, with its guards and tags, and records the event. */
export const removeCustomer = (customer: Customer, event: DomainEvent): Promise<void> =>
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
  );

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
    if (failedConditions(error)?.includes(0)) return false;
    throw error;
  }
};

export interface CustomerListQuery {
  lifecycleStage?: string;
  ownerId?: string;
  tag?: string;
  limit: number;
  cursor?: string;
}

const queryIndex = async (
  index: IndexDef,
  partition: string,
  query: CustomerListQuery,
  filter?: Record<string, string>,
) => {
  const startKey = decodeCursor(query.cursor, {
    attributes: ['pk', 'sk', index.pk, index.sk],
    partition: { name: index.pk, value: partition },
  });
  const filterEntries = Object.entries(filter ?? {});
  const result = await documentClient.send(
    new QueryCommand({
      TableName: table(),
      IndexName: index.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: {
        '#pk': index.pk,
        ...Object.fromEntries(filterEntries.map(([name], i) => [`#f${i}`, name])),
      },
      ExpressionAttributeValues: {
        ':pk': partition,
        ...Object.fromEntries(filterEntries.map(([, value], i) => [`:f${i}`, value])),
      },
      FilterExpression: filterEntries.length
        ? filterEntries.map((_, i) => `#f${i} = :f${i}`).join(' AND ')
        : undefined,
      ScanIndexForward: false,
      Limit: query.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: result.Items ?? [], nextCursor: encodeCursor(result.LastEvaluatedKey) };
};

const batchGetProfiles = async (ids: string[]): Promise<Customer[]> => {
  let keys = ids.map(customerKeys.profile);
  const found = new Map<string, Customer>();
  // BatchGet may leave keys unprocessed under load: ask again for those (bounded).
  for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
    const { Responses, UnprocessedKeys } = await documentClient.send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys } } }),
    );
    for (const item of Responses?.[table()] ?? []) found.set(item.id as string, toCustomer(item));
    keys = (UnprocessedKeys?.[table()]?.Keys ?? []) as typeof keys;
    if (keys.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
  }
  return ids.flatMap((id) => found.get(id) ?? []);
};

/** One page of customers, newest first; see the access-pattern table for which index serves which filter. */
export const listCustomers = async (query: CustomerListQuery) => {
  if (query.tag !== undefined) {
    const page = await queryIndex(indexes.byTag, indexes.byTag.value(query.tag), query);
    const customers = await batchGetProfiles(page.items.map((item) => item.gsi1sk as string));
    const items = customers.filter(
      (c) =>
        (query.ownerId === undefined || c.ownerId === query.ownerId) &&
        (query.lifecycleStage === undefined || c.lifecycleStage === query.lifecycleStage),
    );
    return { items, nextCursor: page.nextCursor };
  }
  const stageFilter =
    query.lifecycleStage === undefined ? undefined : { lifecycleStage: query.lifecycleStage };
  const page =
    query.ownerId !== undefined
      ? await queryIndex(indexes.byOwner, indexes.byOwner.value(query.ownerId), query, stageFilter)
      : query.lifecycleStage !== undefined
        ? await queryIndex(indexes.byStage, indexes.byStage.value(query.lifecycleStage), query)
        : await queryIndex(indexes.all, indexes.all.value(), query);
  return { items: page.items.map(toCustomer), nextCursor: page.nextCursor };
};
