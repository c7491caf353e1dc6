import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import type { CustomFieldSettings } from '#shared/schemas/custom-fields';
import { putVersioned } from './versioned-write.ts';

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
export const putCustomFieldSettings = (next: CustomFieldSettings, expectedVersion: number): Promise<void> =>
  putVersioned(
    { ...settingsKey, type: 'custom-field-settings', ...next },
    expectedVersion,
    'custom field definitions',
  );
