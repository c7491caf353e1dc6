import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import {
  ConcurrentWrite,
  InUse,
  MAX_LISTED_USERS,
  Unprocessable,
  type UsedBy,
  VersionMismatch,
} from '#shared/domain/errors';
import { failedConditions } from './transaction-errors.ts';

/**
 * Who uses a segment or a template, so that neither can be deleted while a live campaign or an
 * automated e-mail names it (same design as a company's people counter).
 *
 * In the used record's partition (its entity module builds the keys): one item per user
 * (`usedByKind`, `usedById`) and a counter item (`useCount`).
 * - A user starts using a record in the transaction of its own write: ConditionCheck that the
 *   record exists + Put of its user item (`attribute_not_exists`) + `ADD useCount 1`.
 * - It stops with Delete of its user item (`attribute_exists`) + `ADD useCount -1`.
 * - The record is deleted in one transaction with the counter's Delete, conditional on the counter
 *   being absent or 0.
 * Whichever of a user's write and a delete commits first, the other fails: no user ever names a
 * deleted record, and no record is deleted while used. The user items only name the users (the
 * 409 lists them); the counter is what the delete's condition reads.
 */

type Key = { pk: string; sk: string };

export interface UsageKeys {
  what: 'segment' | 'template';
  record: (id: string) => Key;
  user: (id: string, user: UsedBy) => Key;
  /** The partition and sort key prefix of every user item of a record. */
  users: (id: string) => { pk: string; skPrefix: string };
  counter: (id: string) => Key;
}

export interface UsageChange {
  usage: UsageKeys;
  id: string;
  user: UsedBy;
  change: 'start' | 'stop';
  /** The request field naming the record: a 422 names it when the record is gone. */
  field: string;
}

const table = () => config.tableName;

const counterUpdate = (key: Key, delta: 1 | -1) => ({
  Update: {
    TableName: table(),
    Key: key,
    UpdateExpression: 'ADD useCount :delta',
    ExpressionAttributeValues: { ':delta': delta },
  },
});

/** The transaction entries of one change; a start's first entry is the record's ConditionCheck. */
const entries = ({ usage, id, user, change }: UsageChange): Record<string, unknown>[] =>
  change === 'start'
    ? [
        {
          ConditionCheck: {
            TableName: table(),
            Key: usage.record(id),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        {
          Put: {
            TableName: table(),
            Item: {
              ...usage.user(id, user),
              type: `${usage.what}-use`,
              usedByKind: user.kind,
              usedById: user.id,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        counterUpdate(usage.counter(id), 1),
      ]
    : [
        {
          Delete: {
            TableName: table(),
            Key: usage.user(id, user),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        counterUpdate(usage.counter(id), -1),
      ];

/** Which changes differ between the records a user named before and after its write. */
export const usageChanges = (
  before: Omit<UsageChange, 'change'>[],
  after: Omit<UsageChange, 'change'>[],
): UsageChange[] => {
  const same = (a: Omit<UsageChange, 'change'>, b: Omit<UsageChange, 'change'>) =>
    a.usage === b.usage && a.id === b.id && a.user.kind === b.user.kind && a.user.id === b.user.id;
  return [
    ...before
      .filter((old) => !after.some((now) => same(old, now)))
      .map((c) => ({ ...c, change: 'stop' as const })),
    ...after
      .filter((now) => !before.some((old) => same(old, now)))
      .map((c) => ({ ...c, change: 'start' as const })),
  ];
};

/**
 * The user's own conditional write (`own`, e.g. a versioned Put of a campaign) and its usage
 * changes in one transaction. Own condition failed → VersionMismatch; a started record is gone
 * → 422 naming its field.
 */
export const commitWithUsage = async (
  own: Record<string, unknown>,
  changes: UsageChange[],
  what: string,
): Promise<void> => {
  const items: Record<string, unknown>[] = [own];
  const recordChecks = new Map<number, UsageChange>();
  for (const change of changes) {
    if (change.change === 'start') recordChecks.set(items.length, change);
    items.push(...entries(change));
  }
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
  } catch (error) {
    const failed = failedConditions(error);
    if (!failed) throw error;
    if (failed.includes(0))
      throw new VersionMismatch(`The ${what} changed (or was deleted) since it was read.`);
    const gone = failed.flatMap((index) => recordChecks.get(index) ?? []);
    if (gone.length > 0) {
      throw new Unprocessable(
        gone.map((change) => ({
          in: 'body',
          field: change.field,
          detail: `No ${change.usage.what} ${change.id}`,
        })),
      );
    }
    throw new Error(`The ${what}'s usage items are out of step (conditions ${failed.join(', ')} failed)`);
  }
};

/** The first users of a record (strongly consistent), and whether there are more. */
export const usersOf = async (usage: UsageKeys, id: string): Promise<{ users: UsedBy[]; more: boolean }> => {
  const { pk, skPrefix } = usage.users(id);
  const { Items = [] } = await documentClient.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
      ConsistentRead: true,
      Limit: MAX_LISTED_USERS + 1,
    }),
  );
  const users = Items.map((item) => ({ kind: item.usedByKind, id: item.usedById }) as UsedBy);
  return { users: users.slice(0, MAX_LISTED_USERS), more: users.length > MAX_LISTED_USERS };
};

/**
 * Deletes a record (`own`: its versioned Delete) unless something uses it: one transaction with
 * the counter's Delete, conditional on the counter being absent or 0. Used → InUse (409) listing
 * the first users; own condition failed → VersionMismatch.
 */
export const deleteUnlessUsed = async (
  usage: UsageKeys,
  id: string,
  own: Record<string, unknown>,
): Promise<void> => {
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [
          own,
          {
            Delete: {
              TableName: table(),
              Key: usage.counter(id),
              ConditionExpression: 'attribute_not_exists(pk) OR useCount = :zero',
              ExpressionAttributeValues: { ':zero': 0 },
            },
          },
        ] as never,
      }),
    );
  } catch (error) {
    const failed = failedConditions(error);
    if (!failed) throw error;
    if (failed.includes(0)) {
      throw new VersionMismatch(`The ${usage.what} changed (or was deleted) since it was read.`);
    }
    const { users, more } = await usersOf(usage, id);
    // Its last user let go in the meantime: try again.
    if (users.length === 0) throw new ConcurrentWrite(`The ${usage.what}'s users changed; try again.`);
    throw new InUse(usage.what, id, users, more);
  }
};
