import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '#events/catalog';
import { CORS } from '#shared/api/cors';
import { TABLE } from '#shared/data/table-definition';
import { ROLES } from '#shared/domain/actor';
import { resourcesOf, synthApp } from './app-fixture.ts';

const { dataTemplate: template } = synthApp();

describe('stateful stack: table', () => {
  const tables = resourcesOf(template, 'AWS::DynamoDB::Table');
  const [table] = Object.values(tables);

  it('is the one table, retained when the stack goes', () => {
    expect(Object.keys(tables)).toHaveLength(1);
    expect(table?.DeletionPolicy).toBe('Retain');
  });

  it('has the keys, TTL and stream of shared/data/table-definition.ts', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(TABLE.streamViewType).toBe('NEW_AND_OLD_IMAGES');
  });

  it('is on-demand, with PITR, deletion protection and KMS encryption at rest', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      // SSEEnabled without a key: KMS with the AWS managed key (aws/dynamodb).
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('has exactly the global indexes of the definition, each projecting every attribute', () => {
    const indexes = table?.Properties.GlobalSecondaryIndexes as Array<Record<string, unknown>>;
    expect(indexes).toEqual(
      TABLE.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    const stringKeys: string[] = [
      TABLE.partitionKey,
      TABLE.sortKey,
      ...TABLE.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    expect(table?.Properties.AttributeDefinitions).toEqual(
      stringKeys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    );
  });
});

describe('stateful stack: event bus', () => {
  it('is the custom bus named by context (cirrus-crm by default), retained', () => {
    template.hasResource('AWS::Events::EventBus', {
      Properties: { Name: 'cirrus-crm' },
      DeletionPolicy: 'Retain',
    });
    synthApp({ eventBusName: 'crm-staging' }).dataTemplate.hasResourceProperties('AWS::Events::EventBus', {
      Name: 'crm-staging',
    });
  });

  it('archives every event of our source, and keeps the archive', () => {
    const [busId] = Object.keys(resourcesOf(template, 'AWS::Events::EventBus'));
    template.hasResource('AWS::Events::Archive', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
        EventPattern: { source: [EVENT_SOURCE] },
        RetentionDays: Match.anyValue(),
      }),
    });
  });
});

describe('stateful stack: user pool', () => {
  it('is invitation-only, requires MFA and is protected from deletion', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        DeletionProtection: 'ACTIVE',
        Policies: { PasswordPolicy: Match.objectLike({ RequireSymbols: true, RequireNumbers: true }) },
      }),
    });
  });

  it('has one group per role', () => {
    const groups = Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolGroup')).map(
      (group) => group.Properties.GroupName as string,
    );
    expect(groups.sort()).toEqual([...ROLES].sort());
    expect(ROLES).toEqual(expect.arrayContaining(['admin', 'manager', 'sales', 'marketing', 'support']));
  });

  it('has a public SPA client: code flow only, no secret, short-lived tokens', () => {
    const clients = Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const client = clients[0]?.Properties ?? {};
    expect(client.GenerateSecret).toBe(false);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    expect(client.TokenValidityUnits).toMatchObject({ AccessToken: 'minutes', IdToken: 'minutes' });
    expect(client.AccessTokenValidity).toBeLessThanOrEqual(60);
    expect(client.IdTokenValidity).toBeLessThanOrEqual(60);
    expect(client.CallbackURLs).toEqual(CORS.allowOrigins.map((origin) => `${origin}/`));
  });

  it('takes the SPA origins from context', () => {
    const { dataTemplate } = synthApp({ spaOrigins: 'https://crm.example.com,https://admin.example.com/' });
    dataTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://crm.example.com/', 'https://admin.example.com/'],
    });
  });
});

describe('stateful stack: e-mail and outputs', () => {
  it('has an SES configuration set', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
  });

  it("publishes the set's deliveries, bounces, complaints, opens and clicks to the default bus", () => {
    template.resourceCountIs('AWS::SES::ConfigurationSetEventDestination', 1);
    const [destination] = Object.values(
      template.findResources('AWS::SES::ConfigurationSetEventDestination'),
    ) as { Properties: { EventDestination: Record<string, unknown> } }[];
    const target = destination?.Properties.EventDestination as {
      Enabled?: boolean;
      MatchingEventTypes: string[];
      EventBridgeDestination: { EventBusArn: unknown };
    };
    expect([...target.MatchingEventTypes].sort()).toEqual([
      'bounce',
      'click',
      'complaint',
      'delivery',
      'open',
    ]);
    expect(JSON.stringify(target.EventBridgeDestination.EventBusArn)).toContain(':event-bus/default');
  });

  it('outputs the table, bus, user pool and client', () => {
    for (const name of ['TableName', 'EventBusName', 'UserPoolId', 'UserPoolClientId']) {
      template.hasOutput(name, { Value: Match.anyValue() });
    }
  });
});
