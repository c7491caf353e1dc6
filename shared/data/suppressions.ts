import { createHash } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { audienceView, mayBeMarketable, primaryEmail } from '#shared/domain/audience';
import { ConcurrentWrite } from '#shared/domain/errors';
/**
 * The suppression list: addresses no marketing e-mail may go to (hard bounce, complaint, or added
 * by hand). Keyed by the SHA-256 of the lower-cased address, so a GDPR erase can drop the address
 * and keep the person suppressed; the address is kept beside the hash only until then, for lists.
 *
 * | Access pattern                          | Index | Key condition                                           |
 * |-----------------------------------------|-------|---------------------------------------------------------|
 * | Is an address suppressed                | table | pk = SUPPRESSION#<sha256>, sk = SUPPRESSION              |
 * | List suppressions, newest first         | gsi1  | gsi1pk = SUPPRESSIONS, gsi1sk = <createdAt>#<sha256> desc |
 * | Suppress / lift (with the index)        | table | the item + e-mail guard check + marketable item         |
 *
 * Consistency with the marketable index (shared/data/marketable.ts): a customer write that puts a
 * marketable item also ConditionChecks that its address has no suppression item; suppressing
 * writes the suppression item, checks the e-mail guard still names the customer it read, and
 * deletes (or checks the absence of) that customer's marketable item. Both transactions touch both
 * items, so DynamoDB serializes them: whichever commits second sees the first (and is retried).
 */
import type { SuppressionReason } from '#shared/domain/suppression-reasons';
import { customerKeys, getCustomer } from './customers.ts';
import { queryIndexPage } from './index-query.ts';
import { marketableDelete, marketableItemOf, marketablePut } from './marketable.ts';
import { failedConditions } from './transaction-errors.ts';

export type { SuppressionReason };

export interface Suppression {
  emailHash: string;
  /** Absent once the person holding it was erased (GDPR): the hash keeps them suppressed. */
  email?: string;
  reason: SuppressionReason;
  /** Where it came from: `ses`, `api:<userId>`… */
  source: string;
  createdAt: string;
}

/** SHA-256 (hex) of the trimmed, lower-cased address. */
export const emailHash = (email: string): string =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

export const suppressionKeys = {
  item: (hash: string) => ({ pk: `SUPPRESSION#${hash}`, sk: 'SUPPRESSION' }),
};

const indexes = {
  all: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: () => 'SUPPRESSIONS' },
} as const;

const table = () => config.tableName;

const toSuppression = (item: Record<string, unknown>): Suppression => ({
  emailHash: String(item.emailHash),
  ...(typeof item.email === 'string' ? { email: item.email } : {}),
  reason: item.reason as SuppressionReason,
  source: String(item.source),
  createdAt: String(item.createdAt),
});

export const getSuppression = async (email: string): Promise<Suppression | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: suppressionKeys.item(emailHash(email)), ConsistentRead: true }),
  );
  return Item ? toSuppression(Item) : undefined;
};

/** Whether marketing e-mail to this address is suppressed (strongly consistent: the send path asks). */
export const isSuppressed = async (email: string): Promise<boolean> =>
  (await getSuppression(email)) !== undefined;

/** The transaction entry a marketable Put carries: fails when the address got suppressed meanwhile. */
export const notSuppressedCheck = (email: string) => ({
  ConditionCheck: {
    TableName: table(),
    Key: suppressionKeys.item(emailHash(email)),
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

const MAX_ATTEMPTS = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a read-then-transact step until it does not lose a race (both tables' items are re-read). */
const untilSettled = async <T>(step: () => Promise<T | 'lost'>): Promise<T> => {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      const result = await step();
      if (result !== 'lost') return result;
    } catch (error) {
      if (!(error instanceof ConcurrentWrite)) throw error;
    }
    await sleep(Math.random() * 10 * 2 ** attempt);
  }
  throw new ConcurrentWrite('The address is being changed by others; try again.');
};

/** The customer holding the address (its e-mail guard), and the check that it still does. */
const holderOf = async (email: string) => {
  const key = customerKeys.emailGuard(email);
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
  );
  const customerId = Item?.customerId as string | undefined;
  const check = {
    ConditionCheck: {
      TableName: table(),
      Key: key,
      ...(customerId
        ? { ConditionExpression: 'customerId = :id', ExpressionAttributeValues: { ':id': customerId } }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
  return { customerId, check };
};

/**
 * Puts an address on the suppression list and takes its holder out of the marketable index, in one
 * transaction (race-safe, see the module comment). Idempotent: an address already suppressed keeps
 * its first reason and `created` is false.
 */
export const suppress = async (
  rawEmail: string,
  reason: SuppressionReason,
  source: string,
  at = new Date().toISOString(),
): Promise<{ suppression: Suppression; created: boolean }> => {
  const email = rawEmail.trim().toLowerCase();
  const hash = emailHash(email);
  const suppression: Suppression = { emailHash: hash, email, reason, source, createdAt: at };
  return untilSettled(async () => {
    const existing = await getSuppression(email);
    if (existing) return { suppression: existing, created: false };
    const holder = await holderOf(email);
    const marketable = holder.customerId ? await marketableItemOf(holder.customerId) : undefined;
    const indexWrite = holder.customerId
      ? marketable?.email === email
        ? marketableDelete(holder.customerId, { emailIs: email })
        : marketableAbsentFor(holder.customerId, email)
      : undefined;
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table(),
                Item: {
                  ...suppressionKeys.item(hash),
                  type: 'suppression',
                  ...suppression,
                  gsi1pk: indexes.all.value(),
                  gsi1sk: `${at}#${hash}`,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            holder.check,
            ...(indexWrite ? [indexWrite] : []),
          ],
        }),
      );
      return { suppression, created: true };
    } catch (error) {
      if (failedConditions(error)) return 'lost';
      throw error;
    }
  });
};

/** The holder's marketable item is not for this address (or absent): checked, not written. */
const marketableAbsentFor = (customerId: string, email: string) => {
  const { Delete } = marketableDelete(customerId, { emailIs: email });
  return {
    ConditionCheck: {
      TableName: Delete.TableName,
      Key: Delete.Key,
      ConditionExpression: 'attribute_not_exists(pk) OR email <> :email',
      ExpressionAttributeValues: { ':email': email },
    },
  };
};

/**
 * Lifts a suppression: deletes the item and, when the address's holder is marketable with it as
 * primary address, puts them back in the marketable index, conditional on the profile version
 * read (a concurrent customer write makes this step re-read). False when it was not suppressed.
 */
export const unsuppress = async (rawEmail: string): Promise<boolean> => {
  const email = rawEmail.trim().toLowerCase();
  return untilSettled(async () => {
    if (!(await getSuppression(email))) return false;
    const holder = await holderOf(email);
    const customer = holder.customerId
      ? await getCustomer(holder.customerId, { consistent: true })
      : undefined;
    const restore =
      customer && mayBeMarketable(customer) && primaryEmail(customer) === email
        ? [
            marketablePut(audienceView(customer)),
            {
              ConditionCheck: {
                TableName: table(),
                Key: customerKeys.profile(customer.id),
                ConditionExpression: 'version = :version',
                ExpressionAttributeValues: { ':version': customer.version },
              },
            },
          ]
        : [];
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: table(),
                Key: suppressionKeys.item(emailHash(email)),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            holder.check,
            ...restore,
          ],
        }),
      );
      return true;
    } catch (error) {
      if (failedConditions(error)) return 'lost';
      throw error;
    }
  });
};

/** One page of suppressions, newest first. */
export const listSuppressions = async (page: { limit: number; cursor?: string }) => {
  const result = await queryIndexPage(indexes.all, indexes.all.value(), page);
  return { items: result.items.map(toSuppression), nextCursor: result.nextCursor };
};

/**
 * GDPR erase: the suppressions of a person's addresses keep only the hash (the person stays
 * suppressed, the address is gone). Idempotent; an address with no suppression is left alone.
 */
export const forgetSuppressedAddresses = async (emails: readonly string[]): Promise<void> => {
  await Promise.all(
    emails.map(async (email) => {
      try {
        await documentClient.send(
          new UpdateCommand({
            TableName: table(),
            Key: suppressionKeys.item(emailHash(email)),
            UpdateExpression: 'REMOVE email SET erased = :true',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':true': true },
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    }),
  );
};
