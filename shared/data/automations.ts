import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { unconfiguredAutomation } from '#shared/domain/automation';
import type { Automation, AutomationKind } from '#shared/schemas/automation';
import { withoutKeyAttributes } from './table-definition.ts';
import { putVersioned } from './versioned-write.ts';

/**
 * Automated e-mail configurations: one item per kind (birthday, anniversary), replaced whole.
 *
 * | Access pattern                        | Index | Key condition                                        |
 * |---------------------------------------|-------|------------------------------------------------------|
 * | Read one kind's configuration         | table | pk = AUTOMATION#<kind>, sk = CONFIG                  |
 * | Create / replace it                   | table | same key, attribute_not_exists(pk) / version = :read |
 *
 * Every kind is read by its key (two GetItems for the list): there are only two, and no index.
 */
export const automationKeys = {
  config: (kind: AutomationKind) => ({ pk: `AUTOMATION#${kind}`, sk: 'CONFIG' }),
};

const table = () => config.tableName;

/** A kind's configuration; the unconfigured default (disabled, version 0) while none was stored. */
export const getAutomation = async (
  kind: AutomationKind,
  options: { consistent?: boolean } = {},
): Promise<Automation> => {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: table(),
      Key: automationKeys.config(kind),
      ConsistentRead: options.consistent,
    }),
  );
  return Item ? withoutKeyAttributes<Automation>(Item) : unconfiguredAutomation(kind);
};

/** Writes `next` if the stored configuration is still at `expectedVersion` (0: none stored). */
export const putAutomation = (next: Automation, expectedVersion: number): Promise<void> =>
  putVersioned(
    { ...automationKeys.config(next.kind), type: 'automation', ...next },
    expectedVersion,
    'automation',
  );
