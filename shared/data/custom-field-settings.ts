import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { VersionMismatch } from '#shared/domain/errors';
import type { CustomFieldSettings } from '#shared/schemas/custom-fields';

/**
 * The workspace's custom field definitions: one item, replaced whole.
 *
 * | Access pattern                     | Index | Key condition                             |
 * |------------------------------------|-------|-------------------------------------------|
 * | Read the custom field definitions  | table | pk = WORKSPACE, sk = CUSTOM_FIELDS        |
 * | Replace them (optionally at a version) | table | same key, conditional Put             |
 */
const settingsKey = { pk: 'WORKSPACE', sk: 'CUSTOM_FIELDS' };

const NONE: CustomFieldSettings = { fields: [], version: 0 };

/** The definitions; version 0 and no fields while none were ever set. */
export const getCustomFieldSettings = async (
  options: { consistent?: boolean } = {},
): Promise<CustomFieldSettings> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: config.tableName, Key: settingsKey, ConsistentRead: options.consistent }),
  );
  if (!Item) return NONE;
  const { fields, version, updatedAt, updatedBy } = Item as CustomFieldSettings;
  return { fields, version, updatedAt, updatedBy };
};

/**
 * Writes `next` (at `next.version`) if the stored settings are still at `expectedVersion`
 * (0: none stored yet); throws VersionMismatch otherwise.
 */
export const putCustomFieldSettings = async (
  next: CustomFieldSettings,
  expectedVersion: number,
): Promise<void> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: config.tableName,
        Item: { ...settingsKey, type: 'custom-field-settings', ...next },
        ...(expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': expectedVersion },
            }),
      }),
    );
  } catch (error) {
    if ((error as Error)?.name === 'ConditionalCheckFailedException') {
      throw new VersionMismatch('The custom fields changed since they were read.');
    }
    throw error;
  }
};
