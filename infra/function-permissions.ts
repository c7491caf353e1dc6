import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { LambdaFunctionName } from '#functions/catalog';
import { TABLE } from '#shared/data/table-definition';
import type { CrmFunction, TableAction } from './constructs/crm-function.ts';

/** The resources a function may be granted access to. */
export interface GrantableResources {
  table: ITable;
  bus: IEventBus;
  /** SES identities the sender may use: the bare address and its domain. */
  emailIdentities: readonly string[];
  configurationSetName: string;
}

const ALL_INDEXES = TABLE.globalIndexes.map((index) => index.indexName);

/**
 * What each function may do, and nothing more. Keyed by every catalog name, so adding a function
 * to functions/catalog.ts fails type-checking until someone decides its permissions here.
 * (Stream read for the outbox publisher is granted by the OutboxStream construct with the mapping
 * that needs it.)
 */
export const functionPermissions: Record<
  LambdaFunctionName,
  (fn: CrmFunction, resources: GrantableResources) => void
> = {
  // CRUD + list through the indexes, uniqueness guards and outbox items in transactions,
  // Powertools idempotency records (it deletes the in-progress record when a request fails).
  customersApi: (fn, { table }) =>
    fn.grantTable(
      table,
      [
        'GetItem',
        'Query',
        'BatchGetItem',
        'PutItem',
        'UpdateItem',
        'DeleteItem',
        'TransactWriteItems',
        'ConditionCheckItem',
      ] satisfies TableAction[],
      { indexes: ALL_INDEXES },
    ),
  // Reads the customer and its timeline; one transaction per purchase (profile, timeline entry,
  // order-id guard, outbox) or interaction (condition check, entry, outbox); reads order-id guards.
  customerActivityApi: (fn, { table }) =>
    fn.grantTable(table, ['GetItem', 'Query', 'TransactWriteItems', 'PutItem', 'ConditionCheckItem']),
  // Health, the OpenAPI document and the docs page are built from code: no AWS access at all.
  metaApi: () => {},
  // Stages chunk items, commits job + chunks in one transaction, reads a job's partition (Query);
  // Powertools idempotency records (Get/Put/Update/Delete).
  importsApi: (fn, { table }) =>
    fn.grantTable(table, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems']),
  // Reads guards, customers, the job and its chunk; writes customers with their guards, tags,
  // outbox items and row markers in transactions (Put/Update inside), moves chunk progress.
  // No DeleteItem: a row only ever adds to a customer. Stream read: the ImportStream construct.
  importWorker: (fn, { table }) =>
    fn.grantTable(table, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'TransactWriteItems']),
  outboxPublisher: (fn, { bus }) => fn.grantPutEvents(bus),
  // Reads the customer, claims and settles its send-ledger item, sends through SES.
  welcomeEmail: (fn, { table, emailIdentities, configurationSetName }) => {
    fn.grantTable(table, ['GetItem', 'PutItem', 'UpdateItem']);
    fn.grantSendRawEmail(emailIdentities, configurationSetName);
  },
};
