import { describe, expect, it } from 'vitest';
import { type LambdaFunctionName, lambdaFunctions } from '#functions/catalog';
import { TABLE } from '#shared/data/table-definition';
import {
  actionsOf,
  asArray,
  functionLogicalId,
  type PolicyStatement,
  resourcesOf,
  roleLogicalIdOf,
  statementsOfRole,
  synthApp,
} from './app-fixture.ts';

const { appTemplate: template } = synthApp();
const names = Object.keys(lambdaFunctions) as LambdaFunctionName[];
const statementsOf = (name: LambdaFunctionName) =>
  statementsOfRole(template, roleLogicalIdOf(template, functionLogicalId(template, name)));
const allStatements = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
  (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
);
const dynamodbActions = (statements: PolicyStatement[]) =>
  actionsOf(statements)
    .filter((action) => action.startsWith('dynamodb:'))
    .sort();

describe('least privilege', () => {
  it('no statement allows a wildcard action', () => {
    for (const action of actionsOf(allStatements)) expect(action).not.toContain('*');
  });

  it("Resource '*' appears only for X-Ray, which has no resource-level permissions", () => {
    for (const statement of allStatements.filter((candidate) => asArray(candidate.Resource).includes('*'))) {
      expect(asArray(statement.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  it('no DynamoDB statement targets a wildcard resource (every index is named)', () => {
    for (const statement of allStatements.filter((candidate) => dynamodbActions([candidate]).length > 0)) {
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
  });

  it.each(names)('%s role has no AWS managed policy', (name) => {
    const roleId = roleLogicalIdOf(template, functionLogicalId(template, name));
    expect(resourcesOf(template, 'AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('metaApi may do nothing but log and trace', () => {
    expect(actionsOf(statementsOf('metaApi')).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it.each(['customersApi', 'customerCleanup', 'companyRename'] as const)(
    '%s gets exactly its item actions, on the table and each index',
    (name) => {
      const statements = statementsOf(name);
      expect(dynamodbActions(statements)).toEqual(
        [
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:TransactWriteItems',
          'dynamodb:UpdateItem',
        ].sort(),
      );
      const resources = JSON.stringify(
        statements.find((statement) => dynamodbActions([statement]).length > 0)?.Resource,
      );
      for (const index of TABLE.globalIndexes) expect(resources).toContain(`/index/${index.indexName}"`);
      expect(actionsOf(statements).filter((action) => /^(ses|events):/.test(action))).toEqual([]);
    },
  );

  it('companiesApi gets its item actions on the table and only the indexes it queries', () => {
    const statements = statementsOf('companiesApi');
    expect(dynamodbActions(statements)).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:TransactWriteItems',
        'dynamodb:UpdateItem',
      ].sort(),
    );
    const resources = JSON.stringify(
      statements.find((statement) => dynamodbActions([statement]).length > 0)?.Resource,
    );
    expect(resources).toContain('/index/gsi1"');
    expect(resources).toContain('/index/gsi4"');
    for (const index of ['gsi2', 'gsi3', 'gsi5']) expect(resources).not.toContain(`/index/${index}"`);
  });

  it('settingsApi may only get and put items of the table, no index', () => {
    const statements = statementsOf('settingsApi');
    expect(dynamodbActions(statements)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(JSON.stringify(statements)).not.toContain('/index/');
    expect(actionsOf(statements).filter((action) => /^(ses|events|sqs):/.test(action))).toEqual([]);
  });

  it('outboxPublisher may put events on the bus and read the table stream, nothing else of the table', () => {
    const statements = statementsOf('outboxPublisher');
    const putEvents = statements.find((statement) => asArray(statement.Action).includes('events:PutEvents'));
    expect(JSON.stringify(putEvents?.Resource)).toMatch(/EventBus.*Arn/);
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    const streamRead = statements.find((statement) =>
      asArray(statement.Action).includes('dynamodb:GetRecords'),
    );
    expect(JSON.stringify(streamRead?.Resource)).toMatch(/StreamArn/);
  });

  it('importWorker reads the stream and writes items on the table only (no index)', () => {
    const statements = statementsOf('importWorker');
    // DeleteItem and ConditionCheckItem: the marketable-index entries of a customer's transaction.
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toContain('/index/');
    // SQS only for the mapping's on-failure queue.
    expect(actionsOf(statements).filter((action) => /^(ses|events):/.test(action))).toEqual([]);
  });

  it('segmentsApi gets its item actions on the table and only the list and marketable indexes', () => {
    const statements = statementsOf('segmentsApi');
    expect(dynamodbActions(statements)).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:TransactWriteItems',
        'dynamodb:UpdateItem',
      ].sort(),
    );
    expect(dynamodbActions(statements)).not.toContain('dynamodb:Scan');
    const resources = JSON.stringify(
      statements.find((statement) => dynamodbActions([statement]).length > 0)?.Resource,
    );
    expect(resources).toContain('/index/gsi1"');
    expect(resources).toContain('/index/gsi3"');
    for (const index of ['gsi2', 'gsi4', 'gsi5']) expect(resources).not.toContain(`/index/${index}"`);
    expect(actionsOf(statements).filter((action) => /^(ses|events|sqs):/.test(action))).toEqual([]);
  });

  it('importsApi may not read the stream nor any index', () => {
    const statements = statementsOf('importsApi');
    expect(dynamodbActions(statements)).not.toContain('dynamodb:GetRecords');
    expect(dynamodbActions(statements)).not.toContain('dynamodb:Scan');
    expect(JSON.stringify(statements)).not.toContain('/index/');
  });

  it('welcomeEmail may read and write single items and send raw e-mail through the configuration set', () => {
    const statements = statementsOf('welcomeEmail');
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    const send = statements.find((statement) => asArray(statement.Action).includes('ses:SendRawEmail'));
    const resources = JSON.stringify(send?.Resource);
    expect(resources).toContain(':identity/hello@example.com');
    expect(resources).toContain(':identity/example.com');
    expect(resources).toContain(':configuration-set/');
    expect(actionsOf(statements)).not.toContain('events:PutEvents');
  });

  it('campaignSender may use single items, batch reads and transactions, no index, and send raw e-mail', () => {
    const statements = statementsOf('campaignSender');
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toContain('/index/');
    expect(actionsOf(statements)).toContain('ses:SendRawEmail');
    expect(actionsOf(statements)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']),
    );
    expect(actionsOf(statements)).not.toContain('sqs:SendMessage');
  });

  it('campaignDispatcher reads the marketable index (gsi3 only) and may send to the campaign queue', () => {
    const statements = statementsOf('campaignDispatcher');
    expect(dynamodbActions(statements)).not.toContain('dynamodb:Scan');
    const indexes = JSON.stringify(statements).match(/\/index\/[a-z0-9]+/g) ?? [];
    expect(new Set(indexes)).toEqual(new Set(['/index/gsi3']));
    expect(actionsOf(statements)).toContain('sqs:SendMessage');
    expect(actionsOf(statements)).not.toContain('ses:SendRawEmail');
  });

  it('automationsApi may only write single items and their transactions: no query, index, SES, bus or queue', () => {
    const statements = statementsOf('automationsApi');
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toContain('/index/');
    expect(actionsOf(statements).filter((action) => /^(ses|events|sqs):/.test(action))).toEqual([]);
  });

  it('automatedEmails queries only the month-day indexes, writes single items, sends through the configuration set', () => {
    const statements = statementsOf('automatedEmails');
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    const resources = JSON.stringify(
      statements.find((statement) => dynamodbActions([statement]).length > 0)?.Resource,
    );
    expect(resources).toContain('/index/gsi1"');
    expect(resources).toContain('/index/gsi2"');
    for (const index of ['gsi3', 'gsi4', 'gsi5']) expect(resources).not.toContain(`/index/${index}"`);
    const send = statements.find((statement) => asArray(statement.Action).includes('ses:SendRawEmail'));
    expect(JSON.stringify(send?.Resource)).toContain(':configuration-set/');
    expect(actionsOf(statements).filter((action) => action.startsWith('events:'))).toEqual([]);
  });

  it('templatesApi gets item actions on the table and the list index only, no SES, bus or stream', () => {
    const statements = statementsOf('templatesApi');
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
    ]);
    const resources = JSON.stringify(
      statements.find((statement) => dynamodbActions([statement]).length > 0)?.Resource,
    );
    expect(resources).toContain('/index/gsi1"');
    for (const index of ['gsi2', 'gsi3', 'gsi4', 'gsi5']) expect(resources).not.toContain(`/index/${index}"`);
    expect(actionsOf(statements).filter((action) => /^(ses|events|sqs):/.test(action))).toEqual([]);
  });

  it('unsubscribeApi (public) may only read and transact items of the table: no Query, no index, no SES', () => {
    const statements = statementsOf('unsubscribeApi');
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toContain('/index/');
    expect(actionsOf(statements).filter((action) => /^(ses|events|sqs):/.test(action))).toEqual([]);
  });
});

describe('least privilege: tracking', () => {
  it('emailEvents may use single items and transactions of the table only: no index, no SES, no bus', () => {
    const statements = statementsOf('emailEvents');
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toContain('/index/');
    expect(actionsOf(statements).filter((action) => /^(ses|events):/.test(action))).toEqual([]);
    expect(actionsOf(statements)).not.toContain('sqs:ReceiveMessage');
  });

  it('campaignOutcomes may read and transact items, never delete, query, send or publish', () => {
    const statements = statementsOf('campaignOutcomes');
    expect(dynamodbActions(statements)).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toContain('/index/');
    expect(actionsOf(statements).filter((action) => /^(ses|events):/.test(action))).toEqual([]);
    // SQS only to send its own failed invocations to its on-failure queue.
    expect(actionsOf(statements)).not.toContain('sqs:ReceiveMessage');
  });
});

describe('campaign schedules', () => {
  const roles = resourcesOf(template, 'AWS::IAM::Role');
  const [schedulerRoleId, schedulerRole] =
    Object.entries(roles).find(([, role]) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
    ) ?? [];

  it('EventBridge Scheduler may invoke the dispatcher alone (its own account only), and dead-letter', () => {
    expect(JSON.stringify(schedulerRole?.Properties.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
    const statements = statementsOfRole(template, schedulerRoleId ?? '');
    expect(actionsOf(statements).sort()).toEqual(
      expect.arrayContaining(['lambda:InvokeFunction', 'sqs:SendMessage']),
    );
    const invoke = statements.find((statement) =>
      asArray(statement.Action).includes('lambda:InvokeFunction'),
    );
    expect(JSON.stringify(invoke?.Resource)).toContain(functionLogicalId(template, 'campaignDispatcher'));
    expect(JSON.stringify(invoke?.Resource)).not.toContain(':*');
  });

  it('campaign writes may hold their segment and template (usage items in the same transaction)', () => {
    expect(dynamodbActions(statementsOf('campaignsApi'))).toEqual(
      expect.arrayContaining([
        'dynamodb:TransactWriteItems',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
      ]),
    );
    for (const finisher of ['campaignDispatcher', 'campaignSender'] as const) {
      expect(dynamodbActions(statementsOf(finisher))).toEqual(
        expect.arrayContaining(['dynamodb:TransactWriteItems', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']),
      );
    }
  });

  it('campaignsApi creates and deletes schedules in its group only, and passes only that role', () => {
    const statements = statementsOf('campaignsApi');
    const schedules = statements.find((statement) =>
      asArray(statement.Action).includes('scheduler:CreateSchedule'),
    );
    expect(asArray(schedules?.Action).sort()).toEqual([
      'scheduler:CreateSchedule',
      'scheduler:DeleteSchedule',
    ]);
    expect(JSON.stringify(schedules?.Resource)).toMatch(/schedule\/.*CampaignSchedulingGroup/);
    const passRole = statements.find((statement) => asArray(statement.Action).includes('iam:PassRole'));
    expect(JSON.stringify(passRole?.Resource)).toContain(schedulerRoleId);
  });
});
