import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { LambdaFunctionName } from '#functions/catalog';
import { type GlobalIndexName, TABLE } from '#shared/data/table-definition';
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

const grantCustomerRecordAccess = (fn: CrmFunction, table: ITable) =>
  fn.grantTable(
    table,
    [
      'GetItem',
      'Query',
      'BatchGetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'BatchWriteItem',
      'TransactWriteItems',
      'ConditionCheckItem',
    ] satisfies TableAction[],
    { indexes: ALL_INDEXES },
  );

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
  // Powertools idempotency records (it deletes the in-progress record when a request fails),
  // merges (moves in transactions) and erases (batch deletes of a person's items and events).
  customersApi: (fn, { table }) => grantCustomerRecordAccess(fn, table),
  // The same merge and erase steps as customersApi, run again from their events.
  customerCleanup: (fn, { table }) => grantCustomerRecordAccess(fn, table),
  // Reads the company and its people, then changes each person through the customer transaction.
  companyRename: (fn, { table }) => grantCustomerRecordAccess(fn, table),
  // CRUD through the list and name indexes (gsi1, gsi4), domain guards and outbox items in
  // transactions (the delete checks the people counter), BatchGet of the linked people's profiles,
  // Powertools idempotency records.
  companiesApi: (fn, { table }) =>
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
      ] satisfies TableAction[],
      { indexes: ['gsi1', 'gsi4'] satisfies GlobalIndexName[] },
    ),
  // One item: the custom field definitions, read and replaced with a condition on its version.
  settingsApi: (fn, { table }) => fn.grantTable(table, ['GetItem', 'PutItem']),
  // Reads the customer and its timeline; one transaction per purchase (profile, timeline entry,
  // order-id guard, outbox) or interaction (condition check, entry, outbox); reads order-id guards.
  customerActivityApi: (fn, { table }) =>
    fn.grantTable(table, ['GetItem', 'Query', 'TransactWriteItems', 'PutItem', 'ConditionCheckItem']),
  // Health, the OpenAPI document and the docs page are built from code: no AWS access at all.
  metaApi: () => {},
  // Campaign items (list through gsi1), their counter shards (BatchGet), Powertools idempotency
  // records, the segment's and template's usage items (in the campaign write's transaction, with
  // a ConditionCheck that they exist), and SES for test sends (which read the template, a customer
  // and the suppression list); the Scheduler grants come with CampaignScheduling.
  campaignsApi: (fn, { table, emailIdentities, configurationSetName }) => {
    fn.grantTable(
      table,
      [
        'GetItem',
        'BatchGetItem',
        'Query',
        'PutItem',
        'UpdateItem',
        'DeleteItem',
        'TransactWriteItems',
        'ConditionCheckItem',
      ] satisfies TableAction[],
      { indexes: ['gsi1'] },
    );
    fn.grantSendRawEmail(emailIdentities, configurationSetName);
  },
  // Reads the campaign and moves it to sending (conditional Put), its segment, the linked
  // companies (BatchGet) and the marketable index's shards (gsi3 Query); sets the queued figure
  // of each counter shard (Update), reads them (BatchGet) to finish the campaign, which lets go of
  // its segment and template (transaction: usage item Delete, counter Update, campaign Put).
  // Sending to the queue: WorkQueues.
  campaignDispatcher: (fn, { table }) =>
    fn.grantTable(
      table,
      ['GetItem', 'PutItem', 'Query', 'BatchGetItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'],
      {
        indexes: ['gsi3'] satisfies GlobalIndexName[],
      },
    ),
  // Reads the campaign, template, each recipient, suppression items and the signing key
  // (created once: PutItem); claims (Put) or releases (Delete) a send record; settles it with its
  // counter shard in a transaction (Update); reads the counters (BatchGet); finishes the campaign
  // (Put). SES for the mail. Queue reads: the event source mapping (WorkQueues).
  campaignSender: (fn, { table, emailIdentities, configurationSetName }) => {
    fn.grantTable(table, [
      'GetItem',
      'BatchGetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'TransactWriteItems',
    ]);
    fn.grantSendRawEmail(emailIdentities, configurationSetName);
  },
  // Reads its state and the last-purchase index, re-reads each customer, moves it in a transaction
  // (which re-puts the marketable item with a ConditionCheck on the address's suppression item).
  lifecycleReview: (fn, { table }) =>
    fn.grantTable(table, ['GetItem', 'Query', 'PutItem', 'TransactWriteItems', 'ConditionCheckItem'], {
      indexes: ['gsi2'],
    }),
  // Segments (items, gsi1 list), the marketable index's shards (gsi3 Query), the linked companies
  // (BatchGet), custom field definitions, and the suppression list: its item, the e-mail guard
  // checked and the marketable item deleted in one transaction; Powertools idempotency records.
  segmentsApi: (fn, { table }) =>
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
      { indexes: ['gsi1', 'gsi3'] satisfies GlobalIndexName[] },
    ),
  // Stages chunk items, commits job + chunks in one transaction, reads a job's partition (Query);
  // Powertools idempotency records (Get/Put/Update/Delete).
  importsApi: (fn, { table }) =>
    fn.grantTable(table, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems']),
  // Reads guards, customers, the job and its chunk; writes customers with their guards, tags,
  // outbox items and row markers in transactions (Put/Update inside), moves chunk progress.
  // A row only ever adds to a customer, but a row that withdraws e-mail consent takes the customer
  // out of the marketable index (a Delete in the transaction), and a marketable Put carries a
  // ConditionCheck on the suppression list. Stream read: the ImportStream construct.
  importWorker: (fn, { table }) =>
    fn.grantTable(table, [
      'GetItem',
      'Query',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'TransactWriteItems',
      'ConditionCheckItem',
    ]),
  // Template items (conditional Put/Delete on version; the delete in a transaction with the usage
  // counter), who uses one (Query), the list index (gsi1), Powertools idempotency records;
  // previews read the customer (and its tombstone) by GetItem.
  templatesApi: (fn, { table }) =>
    fn.grantTable(table, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems'], {
      indexes: ['gsi1'] satisfies GlobalIndexName[],
    }),
  // Reads (or creates once) the signing key, the customer, its tombstone and the custom field
  // definitions; withdraws consent in the customer's transaction (profile Put, guard and tag
  // writes, company-link check, timeline entry, outbox). No index, no query, no SES, no bus.
  unsubscribeApi: (fn, { table }) =>
    fn.grantTable(table, [
      'GetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'ConditionCheckItem',
      'TransactWriteItems',
    ]),
  // One item per kind: read, and replaced with a condition on its version, in a transaction with
  // the template's usage items when the template changes (ConditionCheck that it exists, usage
  // item Put/Delete, counter Update); reads the template.
  automationsApi: (fn, { table }) =>
    fn.grantTable(table, [
      'GetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'TransactWriteItems',
      'ConditionCheckItem',
    ]),
  // Reads the configurations, templates, customers, suppressions and the signing key (created
  // once with PutItem); the month-day indexes (gsi1 birthdays, gsi2 anniversaries) by Query;
  // claims (PutItem) and settles (UpdateItem) send-ledger items; sends through SES.
  automatedEmails: (fn, { table, emailIdentities, configurationSetName }) => {
    fn.grantTable(table, ['GetItem', 'Query', 'PutItem', 'UpdateItem'], {
      indexes: ['gsi1', 'gsi2'] satisfies GlobalIndexName[],
    });
    fn.grantSendRawEmail(emailIdentities, configurationSetName);
  },
  outboxPublisher: (fn, { bus }) => fn.grantPutEvents(bus),
  // SES events: suppression (reads the suppression item, the e-mail guard and the holder's
  // marketable item; one transaction puts the suppression, checks the guard, deletes the
  // marketable item); campaign tracking (transactions: send-record flag Update + counter Update +
  // timeline Put, or ConditionCheck + Put for the last click and uncounted entries). No index, no
  // SES, no bus.
  emailEvents: (fn, { table }) =>
    fn.grantTable(table, [
      'GetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'ConditionCheckItem',
      'TransactWriteItems',
    ]),
  // Reads the last click (GetItem); conversions (guard Put + send-record ConditionCheck + counter
  // Update) and unsubscribe counts (flag and counter Updates) in transactions. No delete, no index.
  campaignOutcomes: (fn, { table }) =>
    fn.grantTable(table, ['GetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem', 'TransactWriteItems']),
  // Reads the customer, claims and settles its send-ledger item, sends through SES.
  welcomeEmail: (fn, { table, emailIdentities, configurationSetName }) => {
    fn.grantTable(table, ['GetItem', 'PutItem', 'UpdateItem']);
    fn.grantSendRawEmail(emailIdentities, configurationSetName);
  },
};
