import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { unconfiguredAutomation } from '#shared/domain/automation';
import type { Automation, AutomationKind } from '#shared/schemas/automation';
import { withoutKeyAttributes } from './table-definition.ts';
import { templateUsage } from './templates.ts';
import { commitWithUsage, usageChanges } from './usage.ts';
import { putVersioned, versionedPutEntry } from './versioned-write.ts';

/**
 * Automated e-mail configurations: one item per kind (birthday, anniversary), replaced whole.
 *
 * | Access pattern                        | Index | Key condition                                        |
 * |---------------------------------------|-------|------------------------------------------------------|
 * | Read one kind's configuration         | table | pk = AUTOMATION#<kind>, sk = CONFIG                  |
 * | Create / replace it                   | table | same key, attribute_not_exists(pk) / version = :read |
 *
 * Every kind is read by its key (two GetItems for the list): there are only two, and no index.
 * A configuration, enabled or not, uses its template (shared/data/usage.ts): the template cannot be
 * deleted while configured here, and a PUT that names another one moves the use in its transaction.
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

const uses = (automation: Automation) =>
  automation.templateId === null
    ? []
    : [
        {
          usage: templateUsage,
          id: automation.templateId,
          user: { kind: 'automation' as const, id: automation.kind },
          field: 'templateId',
        },
      ];

/**
 * Writes `next` if the stored configuration is still `previous` (by version; 0: none stored).
 * A template it starts using must exist (422 naming `templateId` otherwise).
 */
export const putAutomation = (next: Automation, previous: Automation): Promise<void> => {
  const item = { ...automationKeys.config(next.kind), type: 'automation', ...next };
  const changes = usageChanges(uses(previous), uses(next));
  return changes.length === 0
    ? putVersioned(item, previous.version, 'automation')
    : commitWithUsage(versionedPutEntry(item, previous.version), changes, 'automation');
};
