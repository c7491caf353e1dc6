import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import {
  type AudienceView,
  audienceView,
  MARKETABLE_SHARDS,
  mayBeMarketable,
  primaryEmail,
  shardOf,
} from '#shared/domain/audience';
import { monthDayOf } from '#shared/domain/automation';
import { type CompanyFacts, matchesRule, type RuleContext, ruleTestsCompanies } from '#shared/domain/segment';
import type { AutomationKind } from '#shared/schemas/automation';
import type { Customer } from '#shared/schemas/customer';
import type { SegmentRule } from '#shared/schemas/segment';
import { getCompaniesByIds } from './companies.ts';
import { isSuppressed, notSuppressedCheck } from './suppressions.ts';

/**
 * The marketable index: a sparse, sharded index of exactly the customers campaigns may write to
 * (an e-mail address, e-mail consent granted, primary address not suppressed). One small item per
 * such customer, in the customer's partition (so a GDPR erase purges it with the rest), holding
 * the audience view (shared/domain/audience.ts). Building an audience reads only this index: one
 * Query per shard, every page, in parallel; never the profiles, never a Scan.
 *
 * | Access pattern                           | Index | Key condition                                          |
 * |------------------------------------------|-------|--------------------------------------------------------|
 * | A customer's marketable item             | table | pk = CUSTOMER#<id>, sk = MARKETABLE                    |
 * | Marketable customers of one shard        | gsi3  | gsi3pk = MARKETABLE#<shard 0..15>, gsi3sk = <id>        |
 * | Keep it in step with the customer        | table | in the customer's own transaction (marketableWrites)   |
 * | Marketable customers born on a month-day | gsi1  | gsi1pk = BIRTHDAY#<MM-DD>, gsi1sk = <id>                |
 * | … whose first purchase was on a month-day| gsi2  | gsi2pk = ANNIVERSARY#<MM-DD>, gsi2sk = <id>             |
 *
 * The item is written in every customer transaction (create, update, purchase, lifecycle move,
 * import, delete, erase, merge), so it is never behind the profile. The shard is a hash of the id
 * modulo MARKETABLE_SHARDS (one constant): a campaign-sized audience spreads over 16 partitions.
 *
 * The same item carries two sparse month-day indexes for the automated e-mails (only marketable
 * people may get them anyway): `gsi1pk = BIRTHDAY#<MM-DD>` when the customer has a birthday and
 * `gsi2pk = ANNIVERSARY#<MM-DD>` (UTC day of `purchaseSummary.firstPurchaseAt`) once they bought.
 * A day's partition holds about 1/365 of the marketable customers; no other item type writes
 * `gsi1pk`/`gsi2pk` values starting with BIRTHDAY#/ANNIVERSARY#.
 */
export const marketableKeys = {
  /** In the customer's partition (`CUSTOMER#<id>`, as customers.ts builds it). */
  item: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'MARKETABLE' }),
};

const indexes = {
  byShard: { name: 'gsi3', pk: 'gsi3pk', sk: 'gsi3sk', value: (shard: number) => `MARKETABLE#${shard}` },
  byBirthday: {
    name: 'gsi1',
    pk: 'gsi1pk',
    sk: 'gsi1sk',
    value: (monthDay: string) => `BIRTHDAY#${monthDay}`,
  },
  byAnniversary: {
    name: 'gsi2',
    pk: 'gsi2pk',
    sk: 'gsi2sk',
    value: (monthDay: string) => `ANNIVERSARY#${monthDay}`,
  },
} as const;

const monthDayIndex = { birthday: indexes.byBirthday, anniversary: indexes.byAnniversary } as const;

/** The month-day index attributes of a view (absent when it has no such date: the index is sparse). */
const monthDayAttributes = (view: AudienceView) => ({
  ...(view.birthday ? { gsi1pk: indexes.byBirthday.value(monthDayOf(view.birthday)), gsi1sk: view.id } : {}),
  ...(view.purchases?.firstPurchaseAt
    ? { gsi2pk: indexes.byAnniversary.value(monthDayOf(view.purchases.firstPurchaseAt)), gsi2sk: view.id }
    : {}),
});

const table = () => config.tableName;

/** The item of a marketable customer, as a transaction entry. */
export const marketablePut = (view: AudienceView) => ({
  Put: {
    TableName: table(),
    Item: {
      ...marketableKeys.item(view.id),
      type: 'marketable-customer',
      customerId: view.id,
      email: view.email,
      view,
      gsi3pk: indexes.byShard.value(shardOf(view.id)),
      gsi3sk: view.id,
      ...monthDayAttributes(view),
    },
  },
});

/** Removes a customer from the index; `emailIs` makes it conditional on the address it holds. */
export const marketableDelete = (customerId: string, options: { emailIs?: string } = {}) => ({
  Delete: {
    TableName: table(),
    Key: marketableKeys.item(customerId),
    ...(options.emailIs
      ? { ConditionExpression: 'email = :email', ExpressionAttributeValues: { ':email': options.emailIs } }
      : {}),
  },
});

/** A customer's marketable item (consistent read), or undefined when they are not in the index. */
export const marketableItemOf = async (
  customerId: string,
): Promise<{ email: string; view: AudienceView } | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: marketableKeys.item(customerId), ConsistentRead: true }),
  );
  return Item ? { email: String(Item.email), view: Item.view as AudienceView } : undefined;
};

/**
 * The transaction entries that keep the index in step with a customer's change (`before` →
 * `after`; undefined = none). Marketable after: Put the view, with a ConditionCheck that the
 * address has no suppression item (a suppression committed meanwhile cancels the write, which is
 * retried and then leaves the customer out). Not marketable after: Delete, when the item can exist.
 * Reads the suppression list once (strongly consistent) when `after` could be marketable.
 */
export const marketableWrites = async (
  before: Customer | undefined,
  after: Customer | undefined,
): Promise<Record<string, unknown>[]> => {
  if (mayBeMarketable(after)) {
    const email = primaryEmail(after) as string;
    if (!(await isSuppressed(email))) return [marketablePut(audienceView(after)), notSuppressedCheck(email)];
    // Suppressed, and already so with this address: suppressing removed the item, nothing to do.
    if (before?.id === after.id && primaryEmail(before) === email) return [];
  }
  // Only someone who may have been marketable can have an item.
  return mayBeMarketable(before) ? [marketableDelete(before.id)] : [];
};

export interface AudienceMember {
  customerId: string;
  email: string;
  name: string;
  view: AudienceView;
}

export interface AudienceBatch {
  shard: number;
  members: AudienceMember[];
}

export interface AudienceOptions {
  /** Read only these shards (a dispatcher fans out one worker per shard); default every shard. */
  shards?: readonly number[];
  /** Evaluation time (epoch ms) for `withinDays`; default now. */
  now?: number;
  /** Items per Query page (DynamoDB also stops at 1 MB); default 1,000. */
  pageSize?: number;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
]);
const PAGE_ATTEMPTS = 5;

/**
 * One Query page, retried from the same start key when DynamoDB throttles past the SDK's own
 * retries (so a page is never skipped nor read twice); after PAGE_ATTEMPTS the error is thrown.
 */
const queryPage = async (shard: number, startKey: Record<string, unknown> | undefined, limit: number) => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await documentClient.send(
        new QueryCommand({
          TableName: table(),
          IndexName: indexes.byShard.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': indexes.byShard.pk, '#view': 'view' },
          ExpressionAttributeValues: { ':pk': indexes.byShard.value(shard) },
          ProjectionExpression: '#view',
          ExclusiveStartKey: startKey,
          Limit: limit,
        }),
      );
    } catch (error) {
      if (!THROTTLING.has((error as Error).name) || attempt >= PAGE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
    }
  }
};

/** The same page retries as queryPage, for any Query of the index. */
const withPageRetries = async <T>(query: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await query();
    } catch (error) {
      if (!THROTTLING.has((error as Error).name) || attempt >= PAGE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
    }
  }
};

/**
 * The ids of the marketable customers whose birthday (or first-purchase day) is `monthDay`
 * (`MM-DD`), a Query page at a time (keys only: the sender re-reads each profile anyway).
 */
export async function* marketableIdsByMonthDay(
  kind: AutomationKind,
  monthDay: string,
  pageSize = 500,
): AsyncGenerator<string[]> {
  const index = monthDayIndex[kind];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await withPageRetries(() =>
      documentClient.send(
        new QueryCommand({
          TableName: table(),
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.pk, '#sk': index.sk },
          ExpressionAttributeValues: { ':pk': index.value(monthDay) },
          ProjectionExpression: '#sk',
          ExclusiveStartKey: startKey,
          Limit: pageSize,
        }),
      ),
    );
    yield (page.Items ?? []).map((item) => String(item[index.sk]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Every audience view of one shard, a page at a time. */
export async function* marketableViews(shard: number, pageSize = 1_000): AsyncGenerator<AudienceView[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryPage(shard, startKey, pageSize);
    yield (page.Items ?? []).map((item) => item.view as AudienceView);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Reads each company once per build, however many people and shards link to it. */
const companyCache = () => {
  const facts = new Map<string, Promise<CompanyFacts | undefined>>();
  return async (views: readonly AudienceView[]): Promise<ReadonlyMap<string, CompanyFacts>> => {
    const wanted = [...new Set(views.flatMap((view) => (view.companyId ? [view.companyId] : [])))];
    const missing = wanted.filter((id) => !facts.has(id));
    if (missing.length > 0) {
      const read = getCompaniesByIds(missing).then(
        (companies) => new Map(companies.map((c) => [c.id, { industry: c.industry, size: c.size }])),
      );
      for (const id of missing)
        facts.set(
          id,
          read.then((found) => found.get(id)),
        );
    }
    const resolved = await Promise.all(wanted.map(async (id) => [id, await facts.get(id)] as const));
    return new Map(resolved.flatMap(([id, fact]) => (fact ? [[id, fact] as const] : [])));
  };
};

async function* shardAudience(
  shard: number,
  rule: SegmentRule,
  context: { now: number; companies?: ReturnType<typeof companyCache>; pageSize: number },
): AsyncGenerator<AudienceBatch> {
  for await (const views of marketableViews(shard, context.pageSize)) {
    const ruleContext: RuleContext = {
      now: context.now,
      ...(context.companies ? { companies: await context.companies(views) } : {}),
    };
    const members = views
      .filter((view) => matchesRule(rule, view, ruleContext))
      .map((view) => ({ customerId: view.id, email: view.email, name: view.name, view }));
    if (members.length > 0) yield { shard, members };
  }
}

/** Interleaves async generators, reading all of them at once; yields as results arrive. */
async function* interleave<T>(sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  const pending = new Map(sources.map((source, i) => [i, source.next().then((result) => ({ i, result }))]));
  try {
    while (pending.size > 0) {
      const { i, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(i);
        continue;
      }
      pending.set(
        i,
        (sources[i] as AsyncGenerator<T>).next().then((next) => ({ i, result: next })),
      );
      yield result.value;
    }
  } finally {
    await Promise.allSettled(sources.map((source) => source.return(undefined)));
  }
}

/**
 * The audience of a rule: every marketable customer matching it, in batches (one per matching
 * Query page) tagged with their shard. Reads the given shards (default all, in parallel) of the
 * marketable index only; the companies people link to are read once per build when the rule tests
 * them. A dispatcher may call it once per shard (`shards: [n]`) to fan out.
 */
export async function* marketableAudience(
  rule: SegmentRule,
  options: AudienceOptions = {},
): AsyncGenerator<AudienceBatch> {
  const shards = options.shards ?? Array.from({ length: MARKETABLE_SHARDS }, (_, shard) => shard);
  const context = {
    now: options.now ?? Date.now(),
    pageSize: options.pageSize ?? 1_000,
    ...(ruleTestsCompanies(rule) ? { companies: companyCache() } : {}),
  };
  yield* interleave(shards.map((shard) => shardAudience(shard, rule, context)));
}

/** How many marketable customers match a rule, with the first `sampleSize` of them. */
export const countAudience = async (
  rule: SegmentRule,
  options: AudienceOptions & { sampleSize?: number } = {},
): Promise<{ count: number; sample: AudienceMember[] }> => {
  const sampleSize = options.sampleSize ?? 10;
  let count = 0;
  const sample: AudienceMember[] = [];
  for await (const batch of marketableAudience(rule, options)) {
    count += batch.members.length;
    sample.push(...batch.members.slice(0, Math.max(0, sampleSize - sample.length)));
  }
  return { count, sample };
};
