import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '#events/catalog';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { searchKey } from '#shared/domain/contact-normalization';
import { ConcurrentWrite, Conflict, VersionMismatch } from '#shared/domain/errors';
import type { Company } from '#shared/schemas/company';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { type IndexPattern, queryIndexPage } from './index-query.ts';
import { outboxPut } from './outbox.ts';
import { withoutKeyAttributes } from './table-definition.ts';
import { failedConditions } from './transaction-errors.ts';

/**
 * Company items: the profile, a uniqueness guard per domain, and in the company's partition one
 * link item per person who works there plus a counter of them.
 *
 * | Access pattern                           | Index | Key condition                                              |
 * |------------------------------------------|-------|------------------------------------------------------------|
 * | Get a company by id                      | table | pk = COMPANY#<id>, sk = PROFILE                            |
 * | Who holds a domain (unique)              | table | pk = COMPANY_DOMAIN#<domain>, sk = GUARD                   |
 * | List companies, newest first             | gsi1  | gsi1pk = COMPANIES, gsi1sk = <id> (ULID), descending       |
 * | Find companies by name prefix            | gsi4  | gsi4pk = COMPANIES#NAME#<2 chars>, gsi4sk begins_with key  |
 * | People of a company, newest first        | table | pk = COMPANY#<id>, sk begins_with PERSON#, then profiles   |
 * | How many people a company has            | table | pk = COMPANY#<id>, sk = PEOPLE                             |
 * | Companies by id (audience builds)        | table | pk = COMPANY#<id>, sk = PROFILE, 100 per request           |
 *
 * The link items and the counter are written in the customer's transaction (`companyLinkWrites`);
 * a company's delete is conditional on the counter being 0, so a person is never left linked to
 * a company that no longer exists, whichever of two concurrent transactions commits first.
 */
export const companyKeys = {
  profile: (id: string) => ({ pk: `COMPANY#${id}`, sk: 'PROFILE' }),
  domainGuard: (domain: string) => ({ pk: `COMPANY_DOMAIN#${domain}`, sk: 'GUARD' }),
  person: (id: string, customerId: string) => ({ pk: `COMPANY#${id}`, sk: `PERSON#${customerId}` }),
  peopleCount: (id: string) => ({ pk: `COMPANY#${id}`, sk: 'PEOPLE' }),
};
const PERSON_PREFIX = 'PERSON#';

const indexes = {
  all: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: () => 'COMPANIES' },
  /** Partitioned by the first two characters of the name's search key, sorted by the key. */
  byName: {
    name: 'gsi4',
    pk: 'gsi4pk',
    sk: 'gsi4sk',
    value: (key: string) => `COMPANIES#NAME#${key.slice(0, 2)}`,
  },
} as const;

const table = () => config.tableName;

const profileItem = (company: Company) => ({
  ...companyKeys.profile(company.id),
  type: 'company',
  ...company,
  gsi1pk: indexes.all.value(),
  gsi1sk: company.id,
  gsi4pk: indexes.byName.value(searchKey(company.name)),
  gsi4sk: `${searchKey(company.name)}#${company.id}`,
});

const toCompany = (item: Record<string, unknown>): Company => withoutKeyAttributes<Company>(item);

/** `consistent` for read-modify-write: an eventually consistent read may return the previous version. */
export const getCompany = async (
  id: string,
  options: { consistent?: boolean } = {},
): Promise<Company | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: companyKeys.profile(id), ConsistentRead: options.consistent }),
  );
  return Item ? toCompany(Item) : undefined;
};

/** How many people are linked to the company (0 when none ever was). */
export const countPeople = async (id: string): Promise<number> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: companyKeys.peopleCount(id), ConsistentRead: true }),
  );
  return (Item?.peopleCount as number | undefined) ?? 0;
};

/**
 * Companies by id (BatchGet, 100 keys a request, unprocessed keys asked again); missing ones are
 * left out. The audience builder reads the companies its people link to with it.
 */
export const getCompaniesByIds = async (ids: readonly string[]): Promise<Company[]> => {
  const found: Company[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    let keys = ids.slice(i, i + 100).map(companyKeys.profile);
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= 6) throw new Error('DynamoDB kept company reads unprocessed; try again.');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { Responses, UnprocessedKeys } = await documentClient.send(
        new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys } } }),
      );
      found.push(...(Responses?.[table()] ?? []).map(toCompany));
      keys = (UnprocessedKeys?.[table()]?.Keys ?? []) as typeof keys;
    }
  }
  return found;
};

const versioned = (version: number) => ({
  ConditionExpression: 'version = :version',
  ExpressionAttributeValues: { ':version': version },
});

/** Domain guards to add and remove for a change (none when the domain stays). */
const domainGuardWrites = (id: string, before: string | undefined, after: string | undefined) => {
  if (before === after) return [];
  return [
    // The added guard first among these: its failure is index 1 of the transaction.
    ...(after
      ? [
          {
            Put: {
              TableName: table(),
              Item: { ...companyKeys.domainGuard(after), type: 'company-domain-guard', companyId: id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ]
      : []),
    ...(before
      ? [
          {
            Delete: {
              TableName: table(),
              Key: companyKeys.domainGuard(before),
              ConditionExpression: 'attribute_not_exists(pk) OR companyId = :id',
              ExpressionAttributeValues: { ':id': id },
            },
          },
        ]
      : []),
  ];
};

/** Names the company already holding `domain`. */
const domainConflict = async (domain: string) => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: companyKeys.domainGuard(domain), ConsistentRead: true }),
  );
  return new Conflict(
    `The domain ${domain} already belongs to another company.`,
    Item?.companyId as string | undefined,
    [{ in: 'body', field: 'domain', detail: 'Already belongs to another company' }],
  );
};

/**
 * One change of a company as a single transaction: the profile's own write (reason 0), the domain
 * guards that change (the added one is reason 1), the caller's extra writes, then the event.
 */
const commitCompany = async (
  change: { before?: Company; after?: Company; profileWrite: Record<string, unknown> },
  event: DomainEvent,
  extraWrites: readonly Record<string, unknown>[] = [],
): Promise<void> => {
  const { before, after, profileWrite } = change;
  const id = after?.id ?? before?.id ?? '';
  const guards = domainGuardWrites(id, before?.domain, after?.domain);
  try {
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: [profileWrite, ...guards, ...extraWrites, outboxPut(event)],
      }),
    );
  } catch (error) {
    const failed = failedConditions(error);
    if (!failed) throw error;
    if (failed.includes(0)) {
      if (before) throw new VersionMismatch('The company changed since it was read.');
      throw error; // a new id that already exists: not the caller's doing
    }
    const addsGuard = after?.domain !== undefined && after.domain !== before?.domain;
    if (addsGuard && failed.includes(1)) throw await domainConflict(after.domain as string);
    // A removed guard held by another company, or a person linked meanwhile: read again and retry.
    throw new ConcurrentWrite('Another request changed this company at the same moment; try again.');
  }
};

/** Writes a new company, its domain guard and its created event, all or nothing. */
export const insertCompany = (company: Company, event: DomainEvent): Promise<void> =>
  commitCompany(
    {
      after: company,
      profileWrite: {
        Put: {
          TableName: table(),
          Item: profileItem(company),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
    event,
  );

/** Replaces a company with its next state if it is still at `previous.version`, swapping domain guards. */
export const replaceCompany = (previous: Company, next: Company, event: DomainEvent): Promise<void> =>
  commitCompany(
    {
      before: previous,
      after: next,
      profileWrite: { Put: { TableName: table(), Item: profileItem(next), ...versioned(previous.version) } },
    },
    event,
  );

/**
 * Deletes a company still at `company.version` with its domain guard, only while no person is
 * linked to it (the counter item is deleted on that condition). A person linked meanwhile makes
 * it a ConcurrentWrite: the caller reads the count again.
 */
export const removeCompany = (company: Company, event: DomainEvent): Promise<void> =>
  commitCompany(
    {
      before: company,
      profileWrite: {
        Delete: { TableName: table(), Key: companyKeys.profile(company.id), ...versioned(company.version) },
      },
    },
    event,
    [
      {
        Delete: {
          TableName: table(),
          Key: companyKeys.peopleCount(company.id),
          ConditionExpression: 'attribute_not_exists(pk) OR peopleCount = :zero',
          ExpressionAttributeValues: { ':zero': 0 },
        },
      },
    ],
  );

const countChange = (companyId: string, delta: 1 | -1) => ({
  Update: {
    TableName: table(),
    Key: companyKeys.peopleCount(companyId),
    UpdateExpression: 'ADD peopleCount :delta SET #type = :type',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':delta': delta, ':type': 'company-people-count' },
  },
});

/**
 * The writes that move a person's link from company `before` to company `after` (either may be
 * absent), for the person's own write transaction. When linking, the first write is a
 * ConditionCheck that the company exists: its failure (extra index 0) means an unknown companyId.
 */
export const companyLinkWrites = (
  customerId: string,
  before: string | undefined,
  after: string | undefined,
): Record<string, unknown>[] => {
  if (before === after) return [];
  return [
    ...(after
      ? [
          {
            ConditionCheck: {
              TableName: table(),
              Key: companyKeys.profile(after),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          countChange(after, 1),
          {
            Put: {
              TableName: table(),
              Item: { ...companyKeys.person(after, customerId), type: 'company-person', customerId },
            },
          },
        ]
      : []),
    ...(before
      ? [
          countChange(before, -1),
          { Delete: { TableName: table(), Key: companyKeys.person(before, customerId) } },
        ]
      : []),
  ];
};

const queryIndex = async (
  index: IndexPattern,
  partition: string,
  page: { limit: number; cursor?: string },
  order: { ascending?: boolean; sortKeyPrefix?: string } = {},
) => {
  const result = await queryIndexPage(index, partition, page, order);
  return { items: result.items.map(toCompany), nextCursor: result.nextCursor };
};

export interface CompanyListQuery {
  namePrefix?: string;
  domain?: string;
  limit: number;
  cursor?: string;
}

/** One page of companies: by domain (exact, through its guard), by name prefix, else all newest first. */
export const listCompanies = async (query: CompanyListQuery) => {
  if (query.domain !== undefined) {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: table(), Key: companyKeys.domainGuard(query.domain) }),
    );
    const company = Item ? await getCompany(Item.companyId as string) : undefined;
    const matches = company && (query.namePrefix === undefined || nameStartsWith(company, query.namePrefix));
    return { items: matches ? [company] : [], nextCursor: null };
  }
  if (query.namePrefix !== undefined) {
    const prefix = searchKey(query.namePrefix);
    return queryIndex(indexes.byName, indexes.byName.value(prefix), query, {
      ascending: true,
      sortKeyPrefix: prefix,
    });
  }
  return queryIndex(indexes.all, indexes.all.value(), query);
};

const nameStartsWith = (company: Company, prefix: string) =>
  searchKey(company.name).startsWith(searchKey(prefix));

/** One page of the ids of the people linked to a company, newest link target first (ULID order). */
export const listPeopleIds = async (companyId: string, page: { limit: number; cursor?: string }) => {
  const partition = companyKeys.profile(companyId).pk;
  const startKey = decodeCursor(page.cursor, {
    attributes: ['pk', 'sk'],
    partition: { name: 'pk', value: partition },
    sortKeyPrefix: { name: 'sk', value: PERSON_PREFIX },
  });
  const result = await documentClient.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': PERSON_PREFIX },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return {
    ids: (result.Items ?? []).map((item) => item.customerId as string),
    nextCursor: encodeCursor(result.LastEvaluatedKey),
  };
};

/**
 * The link writes of a merge (`source` folded into `target`, the merged record linked to
 * `mergedCompanyId`): the source's link goes; when the merged record keeps the source's company,
 * the link is handed over and the people count stays (one transaction may touch the counter once).
 */
export const mergedCompanyLinkWrites = (
  target: { id: string; companyId?: string },
  source: { id: string; companyId?: string },
  mergedCompanyId: string | undefined,
): Record<string, unknown>[] => {
  const inherited = source.companyId !== undefined && target.companyId !== source.companyId;
  if (inherited && mergedCompanyId === source.companyId) {
    return [
      { Delete: { TableName: table(), Key: companyKeys.person(source.companyId as string, source.id) } },
      {
        Put: {
          TableName: table(),
          Item: {
            ...companyKeys.person(source.companyId as string, target.id),
            type: 'company-person',
            customerId: target.id,
          },
        },
      },
    ];
  }
  return [
    ...companyLinkWrites(source.id, source.companyId, undefined),
    ...companyLinkWrites(target.id, target.companyId, mergedCompanyId),
  ];
};
