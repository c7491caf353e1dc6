import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import type { UsedBy } from '#shared/domain/errors';
import type { Segment } from '#shared/schemas/segment';
import { queryIndexPage } from './index-query.ts';
import { withoutKeyAttributes } from './table-definition.ts';
import { deleteUnlessUsed, type UsageKeys } from './usage.ts';
import { putVersioned, versionedDeleteEntry } from './versioned-write.ts';

/**
 * Segment items: one per segment (name, description, rule, version).
 *
 * | Access pattern                  | Index | Key condition                                        |
 * |---------------------------------|-------|------------------------------------------------------|
 * | Get a segment by id             | table | pk = SEGMENT#<id>, sk = PROFILE                      |
 * | List segments, newest first     | gsi1  | gsi1pk = SEGMENTS, gsi1sk = <id> (ULID), descending   |
 * | Create / change / delete        | table | same key, attribute_not_exists(pk) / version = :read |
 * | Who uses it (campaigns)         | table | pk = SEGMENT#<id>, sk begins_with USED_BY# (+ USE_COUNT) |
 *
 * A segment is deleted only while nothing uses it (shared/data/usage.ts).
 */
export const segmentKeys = {
  profile: (id: string) => ({ pk: `SEGMENT#${id}`, sk: 'PROFILE' }),
  user: (id: string, user: UsedBy) => ({ pk: `SEGMENT#${id}`, sk: `USED_BY#${user.kind}#${user.id}` }),
  users: (id: string) => ({ pk: `SEGMENT#${id}`, skPrefix: 'USED_BY#' }),
  useCount: (id: string) => ({ pk: `SEGMENT#${id}`, sk: 'USE_COUNT' }),
};

/** Who names a segment (campaigns), kept in its partition so it cannot be deleted while used. */
export const segmentUsage: UsageKeys = {
  what: 'segment',
  record: segmentKeys.profile,
  user: segmentKeys.user,
  users: segmentKeys.users,
  counter: segmentKeys.useCount,
};

const indexes = {
  all: { name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk', value: () => 'SEGMENTS' },
} as const;

const table = () => config.tableName;

const segmentItem = (segment: Segment) => ({
  ...segmentKeys.profile(segment.id),
  type: 'segment',
  ...segment,
  gsi1pk: indexes.all.value(),
  gsi1sk: segment.id,
});

const toSegment = (item: Record<string, unknown>): Segment => withoutKeyAttributes<Segment>(item);

export const getSegment = async (
  id: string,
  options: { consistent?: boolean } = {},
): Promise<Segment | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: segmentKeys.profile(id), ConsistentRead: options.consistent }),
  );
  return Item ? toSegment(Item) : undefined;
};

export const insertSegment = async (segment: Segment): Promise<void> => {
  await documentClient.send(
    new PutCommand({
      TableName: table(),
      Item: segmentItem(segment),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
};

/** Replaces a segment if it is still at `previousVersion`; VersionMismatch otherwise. */
export const replaceSegment = (next: Segment, previousVersion: number): Promise<void> =>
  putVersioned(segmentItem(next), previousVersion, 'segment');

/** Deletes a segment still at the version read and used by nothing (InUse, 409, otherwise). */
export const removeSegment = (segment: Segment): Promise<void> =>
  deleteUnlessUsed(
    segmentUsage,
    segment.id,
    versionedDeleteEntry(segmentKeys.profile(segment.id), segment.version),
  );

/** One page of segments, newest first. */
export const listSegments = async (page: { limit: number; cursor?: string }) => {
  const result = await queryIndexPage(indexes.all, indexes.all.value(), page);
  return { items: result.items.map(toSegment), nextCursor: result.nextCursor };
};
