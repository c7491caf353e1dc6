import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { VersionMismatch } from '#shared/domain/errors';

/**
 * Optimistic concurrency for records with a `version` (campaigns, segments, templates, settings,
 * automations): a write happens only if the stored record is still at the version read, else
 * VersionMismatch (409, or 412 under If-Match) naming what changed.
 */

const whenVersion = (expectedVersion: number | undefined) =>
  expectedVersion === undefined || expectedVersion === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': expectedVersion },
      };

const mismatch = (error: unknown, what: string) =>
  (error as Error)?.name === 'ConditionalCheckFailedException'
    ? new VersionMismatch(`The ${what} changed (or was deleted) since it was read.`)
    : error;

/** The conditional Put, as an entry of a TransactWriteItems (putVersioned sends it alone). */
export const versionedPutEntry = (item: Record<string, unknown>, expectedVersion: number | undefined) => ({
  Put: { TableName: config.tableName, Item: item, ...whenVersion(expectedVersion) },
});

/** The conditional Delete, as an entry of a TransactWriteItems (deleteVersioned sends it alone). */
export const versionedDeleteEntry = (key: { pk: string; sk: string }, version: number) => ({
  Delete: { TableName: config.tableName, Key: key, ...whenVersion(version) },
});

/** Puts `item` if the stored one is at `expectedVersion`; undefined or 0: if there is none yet. */
export const putVersioned = async (
  item: Record<string, unknown>,
  expectedVersion: number | undefined,
  what: string,
): Promise<void> => {
  try {
    await documentClient.send(new PutCommand(versionedPutEntry(item, expectedVersion).Put));
  } catch (error) {
    throw mismatch(error, what);
  }
};

/** Deletes the record at `key` if it is still at `version`. */
export const deleteVersioned = async (
  key: { pk: string; sk: string },
  version: number,
  what: string,
): Promise<void> => {
  try {
    await documentClient.send(new DeleteCommand(versionedDeleteEntry(key, version).Delete));
  } catch (error) {
    throw mismatch(error, what);
  }
};
