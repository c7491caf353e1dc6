import { BatchWriteCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { ConcurrentWrite } from '#shared/domain/errors';
import { CUSTOMER_ITEM_PREFIXES, staysWithMergedRecord } from './campaign-sends.ts';
import { customerKeys, type Tombstone, tombstonePut } from './customers.ts';
import { outboxKeysAbout } from './outbox.ts';
import { deleteOrderGuard, orderGuardHandOver } from './purchase-orders.ts';
import { failedConditions } from './transaction-errors.ts';

/**
 * A customer's whole partition (profile, tags, timeline entries, e-mail ledger, merge pointers):
 * read for the GDPR export, moved by a merge, purged by an erase.
 *
 * | Access pattern                     | Index | Key condition                          |
 * |------------------------------------|-------|----------------------------------------|
 * | Every item of a customer           | table | pk = CUSTOMER#<id>, all pages          |
 */
type Item = Record<string, unknown> & { pk: string; sk: string };

const TOMBSTONE_SK = customerKeys.tombstone('').sk;

export const readCustomerPartition = async (
  customerId: string,
  options: { sortKeyPrefix?: string } = {},
): Promise<Item[]> => {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: config.tableName,
        KeyConditionExpression:
          options.sortKeyPrefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': customerKeys.partition(customerId),
          ...(options.sortKeyPrefix === undefined ? {} : { ':prefix': options.sortKeyPrefix }),
        },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
};

const externalOrderIdOf = (item: Item): string | undefined => {
  const entry = item.entry as { kind?: string; externalOrderId?: string } | undefined;
  return entry?.kind === 'purchase' ? entry.externalOrderId : undefined;
};

/** Items moved per transaction: each is a Put, a Delete and maybe a guard update (≤ 100 actions with the check). */
const MOVES_PER_TRANSACTION = 30;
const MAX_PASSES = 10;

/**
 * Moves every child of a merged customer (timeline entries, e-mail ledger, merge pointers; not its
 * campaign send records, see staysWithMergedRecord) to the survivor, a few dozen per transaction: each item's copy and deletion commit together, so a
 * crash between transactions leaves every item in exactly one place, and running it again (a
 * retried request, the cleanup consumer) carries on where it stopped. Two movers at once make
 * each other's transactions fail; the loser re-reads and continues.
 */
export const moveCustomerChildren = async (sourceId: string, targetId: string): Promise<number> => {
  let moved = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const children = (await readCustomerPartition(sourceId)).filter(
      (item) => item.sk !== TOMBSTONE_SK && !staysWithMergedRecord(item.sk),
    );
    if (children.length === 0) return moved;
    // A ledger kind the survivor already has keeps its history under another key.
    // (and so does a campaign item both records hold: see campaign-sends.ts)
    const survivorLedger = new Set(
      (
        await Promise.all(
          ['EMAIL#', ...CUSTOMER_ITEM_PREFIXES].map((sortKeyPrefix) =>
            readCustomerPartition(targetId, { sortKeyPrefix }),
          ),
        )
      )
        .flat()
        .map((item) => item.sk),
    );
    try {
      for (let i = 0; i < children.length; i += MOVES_PER_TRANSACTION) {
        const batch = children.slice(i, i + MOVES_PER_TRANSACTION);
        await documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              survivorExists(targetId),
              ...batch.flatMap((item) => movedItemWrites(item, sourceId, targetId, survivorLedger)),
            ],
          }),
        );
        moved += batch.length;
      }
      return moved;
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed) throw error;
      // The survivor was erased meanwhile: its erase purges what is left here.
      if (failed.includes(0)) return moved;
      // Someone else moved some of these meanwhile: read what is left and go on.
    }
  }
  throw new ConcurrentWrite('The merge is still moving records; try again.');
};

/** No move commits once the survivor is gone (erased): nothing may land in a purged partition. */
const survivorExists = (targetId: string) => ({
  ConditionCheck: {
    TableName: config.tableName,
    Key: customerKeys.profile(targetId),
    ConditionExpression: 'attribute_exists(pk)',
  },
});

const movedItemWrites = (item: Item, sourceId: string, targetId: string, survivorLedger: Set<string>) => {
  const sk = survivorLedger.has(item.sk) ? `${item.sk}#MERGED#${sourceId}` : item.sk;
  const entry = item.entry as Record<string, unknown> | undefined;
  const copy = {
    ...item,
    pk: customerKeys.partition(targetId),
    sk,
    ...(entry && entry.customerId === sourceId ? { entry: { ...entry, customerId: targetId } } : {}),
  };
  const orderId = externalOrderIdOf(item);
  return [
    { Put: { TableName: config.tableName, Item: copy, ConditionExpression: 'attribute_not_exists(pk)' } },
    {
      Delete: {
        TableName: config.tableName,
        Key: { pk: item.pk, sk: item.sk },
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    ...(orderId ? [orderGuardHandOver(orderId, sourceId, targetId)] : []),
  ];
};

const BATCH_WRITE_LIMIT = 25;

/** Deletes items by key, 25 per BatchWriteItem, asking again for what DynamoDB left unprocessed. */
const deleteAll = async (keys: { pk: string; sk: string }[]): Promise<void> => {
  for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
    let requests = keys
      .slice(i, i + BATCH_WRITE_LIMIT)
      .map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('DynamoDB kept deletes unprocessed; the erase will be retried.');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { UnprocessedItems } = await documentClient.send(
        new BatchWriteCommand({ RequestItems: { [config.tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[config.tableName] ?? []) as typeof requests;
    }
  }
};

/**
 * The rest of a GDPR erase, after the profile (customers.eraseProfile): every other item of the
 * person except the tombstone, in their partition and in those of ids merged into them (a merge
 * may not have finished moving), the order guards of their purchases, those ids' tombstones (now
 * `erased` too), and the outbox items that still carry their data. Idempotent: a second run finds
 * less or nothing to do.
 */
export const purgeCustomerRecord = async (tombstone: Tombstone & { fate: 'erased' }): Promise<void> => {
  const ids = [tombstone.customerId];
  const doomed: Item[] = [];
  const guards: Promise<void>[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    for (const item of await readCustomerPartition(id)) {
      if (item.sk === TOMBSTONE_SK) continue;
      if (item.type === 'customer-merged-from' && !ids.includes(String(item.sourceId))) {
        ids.push(String(item.sourceId));
      }
      const orderId = externalOrderIdOf(item);
      if (orderId) guards.push(deleteOrderGuard(orderId, id));
      doomed.push(item);
    }
  }
  await Promise.all(guards);
  for (const mergedId of ids.slice(1)) {
    await documentClient.send(new PutCommand(tombstonePut({ ...tombstone, customerId: mergedId }).Put));
  }
  const outbox = (await Promise.all(ids.map(outboxKeysAbout))).flat();
  await deleteAll([...doomed, ...outbox]);
};
