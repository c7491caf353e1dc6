import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import type { Template, TemplateSummary } from '#shared/schemas/template';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { withoutKeyAttributes } from './table-definition.ts';
import { deleteUnlessUsed, type UsageKeys } from './usage.ts';
import { putVersioned, versionedDeleteEntry } from './versioned-write.ts';

/**
 * E-mail templates: one item each, replaced whole on change (conditional on `version`).
 *
 * | Access pattern                 | Index | Key condition                                   |
 * |--------------------------------|-------|-------------------------------------------------|
 * | Get a template by id           | table | pk = TEMPLATE#<id>, sk = TEMPLATE               |
 * | List templates, newest first   | gsi1  | gsi1pk = TEMPLATES, gsi1sk = <ULID> (desc)      |
 * | Create / replace / delete one  | table | same key; attribute_not_exists / version = :v   |
 * | Who uses it                    | table | pk = TEMPLATE#<id>, sk begins_with USED_BY#     |
 *
 * A template is deleted only while nothing uses it (campaigns, automated e-mails; shared/data/usage.ts).
 */
const table = () => config.tableName;
const LIST_PARTITION = 'TEMPLATES';

export const templateKey = (id: string) => ({ pk: `TEMPLATE#${id}`, sk: 'TEMPLATE' });

/** Who names a template (campaigns, automated e-mails), kept in its partition. */
export const templateUsage: UsageKeys = {
  what: 'template',
  record: templateKey,
  user: (id, user) => ({ pk: `TEMPLATE#${id}`, sk: `USED_BY#${user.kind}#${user.id}` }),
  users: (id) => ({ pk: `TEMPLATE#${id}`, skPrefix: 'USED_BY#' }),
  counter: (id) => ({ pk: `TEMPLATE#${id}`, sk: 'USE_COUNT' }),
};

const item = (template: Template) => ({
  ...templateKey(template.id),
  type: 'template',
  gsi1pk: LIST_PARTITION,
  gsi1sk: template.id,
  ...template,
});

const SUMMARY_ATTRIBUTES = [
  'id',
  'name',
  'subject',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
];

export const getTemplate = async (id: string, options: { consistent?: boolean } = {}) => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: templateKey(id), ConsistentRead: options.consistent }),
  );
  return Item ? withoutKeyAttributes<Template>(Item) : undefined;
};

export const insertTemplate = async (template: Template): Promise<void> => {
  await documentClient.send(
    new PutCommand({
      TableName: table(),
      Item: item(template),
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
};

/** Replaces the template if it is still at `previousVersion` (VersionMismatch otherwise). */
export const replaceTemplate = (next: Template, previousVersion: number): Promise<void> =>
  putVersioned(item(next), previousVersion, 'template');

/** Deletes a template still at `version` and used by nothing (InUse, 409, otherwise). */
export const deleteTemplate = (id: string, version: number): Promise<void> =>
  deleteUnlessUsed(templateUsage, id, versionedDeleteEntry(templateKey(id), version));

/** One page of summaries, newest first (the bodies are not read back to the client). */
export const listTemplates = async (page: { limit: number; cursor?: string }) => {
  const startKey = decodeCursor(page.cursor, {
    attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
    partition: { name: 'gsi1pk', value: LIST_PARTITION },
  });
  const result = await documentClient.send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': LIST_PARTITION },
      ProjectionExpression: [...SUMMARY_ATTRIBUTES, 'pk', 'sk', 'gsi1pk', 'gsi1sk']
        .map((_, i) => `#a${i}`)
        .join(', '),
      ExpressionAttributeNames: Object.fromEntries(
        [...SUMMARY_ATTRIBUTES, 'pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name, i) => [`#a${i}`, name]),
      ),
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return {
    items: (result.Items ?? []).map((entry) => withoutKeyAttributes<TemplateSummary>(entry)),
    nextCursor: encodeCursor(result.LastEvaluatedKey),
  };
};
