import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { MARKETABLE_SHARDS, shardOf } from '#shared/domain/audience';
import {
  type CampaignCounterName,
  type CampaignCounters,
  emptyCounters,
  OUTCOME_UNKNOWN,
  type SkipReason,
  type TrackedEvent,
} from '#shared/domain/campaign-progress';
import { customerKeys } from './customers.ts';
import { failedConditions } from './transaction-errors.ts';

/**
 * Campaign send records and counters.
 *
 * A send record is the permanent, per-recipient proof that a campaign reached (or skipped) a
 * person: it is claimed with `attribute_not_exists` BEFORE SES is called, so no retry, SQS
 * redelivery or concurrent sender mails anyone twice. It lives in the customer's partition, so
 * writes at campaign speed spread over every customer's partition and a GDPR erase purges it with
 * the rest of the person (the counters keep only numbers).
 *
 * Counters are sharded like the marketable index (`shardOf(customerId)`, 16 shards, the shard in
 * the partition key) so that a campaign's thousands of increments per second never meet on one
 * partition. Each counter moves in the same transaction as the send record it counts, and only
 * when the record changes state, so every count is exact under retries.
 *
 * | Access pattern                           | Index | Key condition                                           |
 * |------------------------------------------|-------|---------------------------------------------------------|
 * | Claim / skip / settle / read a recipient | table | pk = CUSTOMER#<id>, sk = CAMPAIGN_SEND#<campaignId>     |
 * | A campaign's counters (16 shards)        | table | BatchGet pk = CAMPAIGN#<id>#STATS#<0..15>, sk = STATS   |
 * | Record a tracked event once (+ counter)  | table | transaction: send record flag + shard counter           |
 * | Take / renew the dispatch lease          | table | pk = CAMPAIGN#<id>, sk = DISPATCH_LEASE (conditional)   |
 * | Attribute a purchase once (+ counters)   | table | pk = CUSTOMER#<id>, sk = CAMPAIGN_CONVERSION#<purchase> |
 * | A customer's last campaign click         | table | pk = CUSTOMER#<id>, sk = LAST_CAMPAIGN_CLICK            |
 *
 * States: sending → sent | failed; skipped is final from the start. A sender that dies between
 * claim and SES leaves `sending`: the message's redelivery fails that claim as `outcome-unknown`
 * once no sender can still hold it (failAbandonedClaim). That person is not mailed again: we
 * cannot know whether SES took it, and at most once beats twice.
 */

/** Where a recipient's send is. */
export type SendStatus = 'sending' | 'sent' | 'failed' | 'skipped';
export const campaignSendKeys = {
  record: (campaignId: string, customerId: string) => ({
    pk: customerKeys.partition(customerId),
    sk: `CAMPAIGN_SEND#${campaignId}`,
  }),
  stats: (campaignId: string, shard: number) => ({
    pk: `CAMPAIGN#${campaignId}#STATS#${shard}`,
    sk: 'STATS',
  }),
  /** Who is queueing a campaign's audience now: one dispatcher at a time. */
  dispatchLease: (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'DISPATCH_LEASE' }),
  /** In the buyer's partition: guards the attribution of one purchase. */
  conversion: (customerId: string, purchaseId: string) => ({
    pk: customerKeys.partition(customerId),
    sk: `CAMPAIGN_CONVERSION#${purchaseId}`,
  }),
  /** In the customer's partition: the campaign whose e-mail they clicked last (conversions). */
  lastClick: (customerId: string) => ({
    pk: customerKeys.partition(customerId),
    sk: 'LAST_CAMPAIGN_CLICK',
  }),
};

/**
 * Sort-key prefixes of this module's items in a customer's partition that both records of a merge
 * may hold (a conversion guard, a last click each): the merge keeps the survivor's and moves the
 * other under another key instead of failing on the clash.
 */
export const CUSTOMER_ITEM_PREFIXES = ['CAMPAIGN_CONVERSION#', 'LAST_CAMPAIGN_CLICK'] as const;

/**
 * Send records stay with the record they were queued for when it is merged away: a campaign may
 * still be sending, and each queued id must find its own record (the merged id's redelivery, its
 * SES events) so that it is counted once. An erase of the survivor purges them with the merged
 * ids' partitions.
 */
export const staysWithMergedRecord = (sortKey: string): boolean => sortKey.startsWith('CAMPAIGN_SEND#');

const table = () => config.tableName;

const statsFor = (campaignId: string, customerId: string) =>
  campaignSendKeys.stats(campaignId, shardOf(customerId, MARKETABLE_SHARDS));

/** The transaction entry adding `amount` to counters of a customer's shard. */
const countIn = (campaignId: string, customerId: string, counters: Record<string, number>) => {
  const names = Object.keys(counters);
  return {
    Update: {
      TableName: table(),
      Key: statsFor(campaignId, customerId),
      UpdateExpression: `ADD ${names.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:c${i}`, counters[name]])),
    },
  };
};

/** Runs a transaction whose first entry carries the only condition; false when it did not hold. */
const transactOnce = async (items: Record<string, unknown>[]): Promise<boolean> => {
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
    return true;
  } catch (error) {
    if (failedConditions(error) !== undefined) return false;
    throw error;
  }
};

/** A recipient's send record, as first written (claimed, or skipped at once). */
const sendRecord = (campaignId: string, customerId: string, fields: Record<string, unknown>) => ({
  ...campaignSendKeys.record(campaignId, customerId),
  type: 'campaign-send',
  campaignId,
  customerId,
  ...fields,
});

/** Claims a recipient before sending. False: already claimed, sent, failed or skipped. */
export const claimSend = async (campaignId: string, customerId: string, now: string): Promise<boolean> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: table(),
        Item: sendRecord(campaignId, customerId, { status: 'sending', claimedAt: now }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** Records a skipped recipient and counts it, once. False when the recipient already has a record. */
export const recordSkip = (campaignId: string, customerId: string, reason: SkipReason, now: string) =>
  transactOnce([
    {
      Put: {
        TableName: table(),
        Item: sendRecord(campaignId, customerId, {
          status: 'skipped',
          reason,
          claimedAt: now,
          settledAt: now,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    countIn(campaignId, customerId, { [`skipped.${reason}`]: 1 }),
  ]);

/**
 * Settles a `sending` claim (and, with `claimedAt`, only that claim) and counts the outcome, once.
 */
const settle = (
  campaignId: string,
  customerId: string,
  set: Record<string, unknown>,
  counter: CampaignCounterName,
  claimedAt?: string,
) =>
  transactOnce([
    {
      Update: {
        TableName: table(),
        Key: campaignSendKeys.record(campaignId, customerId),
        UpdateExpression: `SET ${Object.keys(set)
          .map((_, i) => `#s${i} = :s${i}`)
          .join(', ')}`,
        ConditionExpression:
          claimedAt === undefined ? '#status = :sending' : '#status = :sending AND #claimedAt = :claimedAt',
        ExpressionAttributeNames: {
          '#status': 'status',
          ...(claimedAt === undefined ? {} : { '#claimedAt': 'claimedAt' }),
          ...Object.fromEntries(Object.keys(set).map((name, i) => [`#s${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':sending': 'sending',
          ...(claimedAt === undefined ? {} : { ':claimedAt': claimedAt }),
          ...Object.fromEntries(Object.values(set).map((value, i) => [`:s${i}`, value])),
        },
      },
    },
    countIn(campaignId, customerId, { [counter]: 1 }),
  ]);

/** SES took the message: the record becomes `sent` and `sent` is counted, once. */
export const markSent = (campaignId: string, customerId: string, messageId: string, now: string) =>
  settle(campaignId, customerId, { status: 'sent', messageId, settledAt: now }, 'sent');

/** SES refused the message for good (or it could not be rendered): `failed`, counted once. */
export const markFailed = (campaignId: string, customerId: string, reason: string, now: string) =>
  settle(
    campaignId,
    customerId,
    { status: 'failed', failure: reason.slice(0, 300), settledAt: now },
    'failed',
  );

/**
 * Fails a claim whose sender died holding it (see claimAbandoned): SES may or may not have taken
 * the message, and mailing again could mail twice. False when it was settled or claimed anew.
 */
export const failAbandonedClaim = (campaignId: string, customerId: string, claimedAt: string, now: string) =>
  settle(
    campaignId,
    customerId,
    { status: 'failed', failure: OUTCOME_UNKNOWN, settledAt: now },
    'failed',
    claimedAt,
  );

/** A recipient's send record as it is now, if they have one. */
export const getSendRecord = async (
  campaignId: string,
  customerId: string,
): Promise<{ status: SendStatus; claimedAt: string } | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: table(),
      Key: campaignSendKeys.record(campaignId, customerId),
      ConsistentRead: true,
      ProjectionExpression: '#status, claimedAt',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  return Item && { status: Item.status as SendStatus, claimedAt: String(Item.claimedAt) };
};

/**
 * Gives a claim back when sending failed for a passing reason (throttled past every backoff, a
 * network error): the SQS redelivery may claim and send again. Only a claim still `sending` goes.
 */
export const releaseClaim = async (campaignId: string, customerId: string): Promise<void> => {
  try {
    await documentClient.send(
      new DeleteCommand({
        TableName: table(),
        Key: campaignSendKeys.record(campaignId, customerId),
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sending': 'sending' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/** A transaction entry another module builds (a timeline entry's Put, …). */
export type TransactionEntry = Record<string, unknown>;

/**
 * Records a tracked event (SES delivery, open, click, bounce, complaint; an unsubscribe) of a
 * campaign e-mail, the first time only: the send record gets `<event>At` and the counter moves in
 * the same transaction, with `also` (the customer's timeline entry). False when it was already
 * recorded, or the person has no send record of the campaign (erased since, or a stray event):
 * then nothing of `also` is written either.
 */
export const recordTrackedEvent = (
  campaignId: string,
  customerId: string,
  event: TrackedEvent,
  at: string,
  also: readonly TransactionEntry[] = [],
) =>
  transactOnce([
    {
      Update: {
        TableName: table(),
        Key: campaignSendKeys.record(campaignId, customerId),
        UpdateExpression: 'SET #at = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#at)',
        ExpressionAttributeNames: { '#at': `${event}At` },
        ExpressionAttributeValues: { ':at': at },
      },
    },
    countIn(campaignId, customerId, { [event]: 1 }),
    ...also,
  ]);

/** The check that the person still has a send record of the campaign (not erased, not stray). */
const sendRecordExists = (campaignId: string, customerId: string) => ({
  ConditionCheck: {
    TableName: table(),
    Key: campaignSendKeys.record(campaignId, customerId),
    ConditionExpression: 'attribute_exists(pk)',
  },
});

/**
 * Writes `entries` (a timeline entry of an event that is not counted, such as a transient
 * bounce) only while the send record exists, so nothing lands in an erased person's partition.
 * False when a condition failed (no send record, or an entry that exists already).
 */
export const recordUncounted = (
  campaignId: string,
  customerId: string,
  entries: readonly TransactionEntry[],
) => transactOnce([sendRecordExists(campaignId, customerId), ...entries]);

/**
 * Remembers the customer's latest campaign click (for conversions): replaces an older click only,
 * so events arriving out of order keep the latest; needs the send record (an erased person gets
 * nothing back). False when a later click is already remembered or there is no send record.
 */
export const rememberLastClick = (campaignId: string, customerId: string, clickedAt: string) =>
  transactOnce([
    sendRecordExists(campaignId, customerId),
    {
      Put: {
        TableName: table(),
        Item: {
          ...campaignSendKeys.lastClick(customerId),
          type: 'campaign-last-click',
          campaignId,
          clickedAt,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR clickedAt < :at',
        ExpressionAttributeValues: { ':at': clickedAt },
      },
    },
  ]);

/** The customer's latest campaign click, if any (strongly consistent). */
export const getLastClick = async (
  customerId: string,
): Promise<{ campaignId: string; clickedAt: string } | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: campaignSendKeys.lastClick(customerId), ConsistentRead: true }),
  );
  return Item ? { campaignId: String(Item.campaignId), clickedAt: String(Item.clickedAt) } : undefined;
};

/**
 * The right to queue a campaign's audience until `until` (epoch ms): taken when nobody holds it or
 * the holder's lease ran out (it died), renewed by the holder as it goes. So a schedule delivered
 * twice queues the audience once, and a retry after a crash picks the work up.
 */
export const takeDispatchLease = async (campaignId: string, owner: string, now: number, until: number) => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...campaignSendKeys.dispatchLease(campaignId),
          type: 'campaign-dispatch-lease',
          owner,
          until,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #until < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
        ExpressionAttributeValues: { ':now': now, ':owner': owner },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** Gives the lease back when a dispatcher fails, so its retry need not wait for it to run out. */
export const releaseDispatchLease = async (campaignId: string, owner: string): Promise<void> => {
  try {
    await documentClient.send(
      new DeleteCommand({
        TableName: table(),
        Key: campaignSendKeys.dispatchLease(campaignId),
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

/**
 * Records how many recipients the dispatcher queued from each shard (SET, not ADD: a dispatcher
 * that runs again after a crash writes the same figures instead of doubling them).
 */
export const recordQueued = async (campaignId: string, queuedByShard: readonly number[]): Promise<void> => {
  // One plain SET per shard, not a transaction: it would race the senders' counts on the same
  // items, and each SET is idempotent (a re-run writes the same figure).
  await Promise.all(
    queuedByShard.map((queued, shard) =>
      documentClient.send(
        new UpdateCommand({
          TableName: table(),
          Key: campaignSendKeys.stats(campaignId, shard),
          UpdateExpression: 'SET queued = :queued',
          ExpressionAttributeValues: { ':queued': queued },
        }),
      ),
    ),
  );
};

/**
 * A campaign's counters, summed over its shards (one BatchGet of 16 keys, strongly consistent).
 * `queuedShards` says how many shards the dispatcher has finished: all of them → `queued` is final.
 */
export const getCampaignCounters = async (
  campaignId: string,
): Promise<{ counters: CampaignCounters; queuedShards: number }> => {
  let keys = Array.from({ length: MARKETABLE_SHARDS }, (_, shard) =>
    campaignSendKeys.stats(campaignId, shard),
  );
  const items: Record<string, unknown>[] = [];
  for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
    const { Responses, UnprocessedKeys } = await documentClient.send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: true } } }),
    );
    items.push(...(Responses?.[table()] ?? []));
    keys = (UnprocessedKeys?.[table()]?.Keys ?? []) as typeof keys;
    if (keys.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
  }
  const counters = emptyCounters();
  let queuedShards = 0;
  for (const item of items) {
    if (typeof item.queued === 'number') queuedShards++;
    for (const [name, value] of Object.entries(item)) {
      if (typeof value === 'number' && name in counters) counters[name as CampaignCounterName] += value;
      else if (typeof value === 'number' && name.startsWith('revenue.')) {
        const currency = name.slice('revenue.'.length);
        counters.revenue[currency] = (counters.revenue[currency] ?? 0) + value;
      }
    }
  }
  return { counters, queuedShards };
};

/**
 * Attributes a purchase to the campaign whose e-mail the buyer clicked, once per purchase: the
 * marker `CAMPAIGN_CONVERSION#<purchaseId>` in the buyer's partition guards the counters, and the
 * send record must still exist (an erased buyer's late event writes nothing). False when the
 * purchase was attributed already or there is no send record.
 */
export const recordConversion = (
  campaignId: string,
  customerId: string,
  purchase: { id: string; amount: number; currency: string; at: string },
) =>
  transactOnce([
    {
      Put: {
        TableName: table(),
        Item: {
          ...campaignSendKeys.conversion(customerId, purchase.id),
          type: 'campaign-conversion',
          campaignId,
          purchaseId: purchase.id,
          amount: purchase.amount,
          currency: purchase.currency,
          at: purchase.at,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    sendRecordExists(campaignId, customerId),
    countIn(campaignId, customerId, { conversions: 1, [`revenue.${purchase.currency}`]: purchase.amount }),
  ]);
