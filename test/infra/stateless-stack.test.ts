import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { rules } from '#events/rules';
import { type LambdaFunctionName, lambdaFunctions, timeoutSecondsOf } from '#functions/catalog';
import { queues } from '#functions/queues';
import { CORS } from '#shared/api/cors';
import { API_THROTTLING } from '#shared/api/limits';
import { operations, routeKey } from '#shared/api/routes';
import { ENV } from '#shared/config';
import { IMPORT_CHUNK_STREAM_FILTER } from '#shared/data/import-stream-filter';
import { OUTBOX_STREAM_FILTER } from '#shared/data/table-definition';
import { functionLogicalId, resourcesOf, synthApp } from './app-fixture.ts';

const { appTemplate: template } = synthApp();
const names = Object.keys(lambdaFunctions) as LambdaFunctionName[];
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const getAttArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('stateless stack: functions', () => {
  it('has one function per catalog entry', () => {
    expect(Object.keys(functions)).toHaveLength(names.length);
    for (const name of names) expect(() => functionLogicalId(template, name)).not.toThrow();
  });

  it.each(names)('%s runs Node.js 22 on arm64 with active tracing and an ESM handler', (name) => {
    const fn = functions[functionLogicalId(template, name)]?.Properties ?? {};
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: lambdaFunctions[name].kind === 'api' ? 1024 : 512,
    });
    expect(fn.Timeout).toBe(timeoutSecondsOf(name));
  });

  it('gives API functions 10 s and the daily jobs Lambda’s longest run', () => {
    expect(functions[functionLogicalId(template, 'customersApi')]?.Properties.Timeout).toBe(10);
    expect(functions[functionLogicalId(template, 'lifecycleReview')]?.Properties.Timeout).toBe(900);
  });

  it.each(names)('%s logs to its own log group with a retention', (name) => {
    const fn = functions[functionLogicalId(template, name)]?.Properties ?? {};
    const logGroupId = fn.LoggingConfig?.LogGroup?.Ref as string;
    expect(
      resourcesOf(template, 'AWS::Logs::LogGroup')[logGroupId]?.Properties.RetentionInDays,
    ).toBeGreaterThan(0);
  });

  it.each(names)('%s gets the shared/config.ts variables, and no local endpoint override', (name) => {
    const variables = functions[functionLogicalId(template, name)]?.Properties.Environment.Variables ?? {};
    for (const key of [
      ENV.tableName,
      ENV.eventBusName,
      ENV.emailFrom,
      ENV.sesConfigurationSet,
      ENV.publicBaseUrl,
    ]) {
      expect(variables).toHaveProperty(key);
    }
    for (const key of [ENV.dynamodbEndpoint, ENV.eventBridgeEndpoint, ENV.sesEndpoint]) {
      expect(variables).not.toHaveProperty(key);
    }
    expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(variables.EMAIL_FROM).toBe('hello@example.com');
  });

  it('passes context e-mail settings to the functions', () => {
    const { appTemplate } = synthApp({
      emailFrom: 'Acme CRM <crm@acme.test>',
      senderPostalAddress: '1 Main St',
    });
    appTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.emailFrom]: 'Acme CRM <crm@acme.test>',
          [ENV.senderPostalAddress]: '1 Main St',
        }),
      },
    });
  });
});

describe('stateless stack: HTTP API', () => {
  const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
  const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
  const [authorizerId] = Object.keys(resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer'));

  it('has exactly one route per operation of the route table', () => {
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(operations.map(routeKey).sort());
  });

  it.each(operations.map((operation) => [routeKey(operation), operation] as const))(
    '%s has the declared authorization and reaches its function',
    (key, operation) => {
      const route = routes.find((candidate) => candidate.Properties.RouteKey === key)?.Properties ?? {};
      if (operation.auth === 'jwt') {
        expect(route.AuthorizationType).toBe('JWT');
        expect(route.AuthorizerId).toEqual({ Ref: authorizerId });
      } else {
        expect(route.AuthorizationType).toBe('NONE');
        expect(route.AuthorizerId).toBeUndefined();
      }
      const integrationId = (route.Target?.['Fn::Join']?.[1]?.[1]?.Ref ?? '') as string;
      expect(integrations[integrationId]?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: getAttArn(functionLogicalId(template, operation.function)),
      });
    },
  );

  it('leaves only the meta routes and the unsubscribe links public (RFC 8058: mail clients send no token)', () => {
    const open = routes.filter((route) => route.Properties.AuthorizationType === 'NONE');
    expect(open.map((route) => route.Properties.RouteKey).sort()).toEqual(
      operations
        .filter((operation) => operation.function === 'metaApi' || operation.function === 'unsubscribeApi')
        .map(routeKey)
        .sort(),
    );
    expect(open.map((route) => route.Properties.RouteKey)).toEqual(
      expect.arrayContaining(['GET /unsubscribe/{code}', 'POST /unsubscribe/{code}']),
    );
  });

  it('validates JWTs from the user pool for the SPA client', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ 'Fn::ImportValue': Match.stringLikeRegexp('SpaClient') }],
        Issuer: { 'Fn::Join': ['', Match.arrayWith(['https://cognito-idp.'])] },
      },
    });
  });

  it('answers CORS preflights for the SPA', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [...CORS.allowOrigins],
        AllowHeaders: [...CORS.allowHeaders],
        ExposeHeaders: Match.arrayWith(['etag', 'location', 'x-ratelimit-limit']),
        AllowMethods: Match.arrayWith([...new Set(operations.map((operation) => operation.method))]),
        MaxAge: Match.anyValue(),
      },
    });
  });

  it('throttles and access-logs the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: API_THROTTLING.rateLimit,
        ThrottlingBurstLimit: API_THROTTLING.burstLimit,
      },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  it('tells the functions the stage rate limit they announce in X-RateLimit-Limit', () => {
    for (const name of names) {
      const fn = functions[functionLogicalId(template, name)]?.Properties ?? {};
      expect(fn.Environment?.Variables?.[ENV.apiRateLimit]).toBe(String(API_THROTTLING.rateLimit));
    }
  });

  it('outputs the API URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});

describe('stateless stack: event rules', () => {
  const deployedRules = Object.values(resourcesOf(template, 'AWS::Events::Rule'));

  it('has one rule per entry of events/rules.ts', () => {
    expect(deployedRules.filter((rule) => rule.Properties.EventPattern)).toHaveLength(rules.length);
  });

  it('runs each scheduled function on its schedule, with retries', () => {
    const scheduled = Object.entries(lambdaFunctions).filter(([, fn]) => 'schedule' in fn);
    expect(scheduled.length).toBeGreaterThan(0);
    for (const [, fn] of scheduled) {
      const rule = deployedRules.find((candidate) => candidate.Properties.Description === fn.description);
      expect(rule?.Properties.ScheduleExpression).toBe((fn as { schedule: string }).schedule);
      const [target] = (rule?.Properties.Targets ?? []) as Array<Record<string, unknown>>;
      expect(target?.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
    }
  });

  it.each(rules.map((rule) => [rule.name, rule] as const))(
    '%s: its pattern, on its bus, to its target with retry policy and DLQ',
    (_name, definition) => {
      const rule = deployedRules.find(
        (candidate) => candidate.Properties.Description === definition.description,
      );
      expect(rule?.Properties.EventPattern).toEqual(definition.pattern);
      if (definition.bus === 'default') {
        // AWS services (SES) publish on the account's default bus only.
        expect(rule?.Properties.EventBusName).toBe('default');
      } else {
        expect(rule?.Properties.EventBusName?.['Fn::ImportValue']).toMatch(/EventBus/);
      }
      const targets = rule?.Properties.Targets as Array<Record<string, unknown>>;
      expect(targets).toHaveLength(1);
      expect(targets[0]).toMatchObject({
        Arn: getAttArn(functionLogicalId(template, definition.target)),
        RetryPolicy: {
          MaximumEventAgeInSeconds: expect.any(Number),
          MaximumRetryAttempts: expect.any(Number),
        },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
      });
    },
  );

  it('gives event consumers an on-failure destination for their own (async) failures', () => {
    const eventFunctions = names.filter((name) => lambdaFunctions[name].kind === 'event');
    const configs = Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig'));
    for (const name of eventFunctions) {
      const config = configs.find(
        (candidate) => candidate.Properties.FunctionName?.Ref === functionLogicalId(template, name),
      );
      expect(config?.Properties).toMatchObject({
        MaximumRetryAttempts: expect.any(Number),
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
      });
    }
  });
});

describe('stateless stack: work queues', () => {
  const allQueues = resourcesOf(template, 'AWS::SQS::Queue');
  const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'));

  it.each(Object.entries(queues))(
    '%s: encrypted queue with a redrive DLQ feeding its target',
    (_, definition) => {
      const mapping = mappings.find(
        (candidate) =>
          candidate.Properties.FunctionName?.Ref === functionLogicalId(template, definition.target),
      )?.Properties;
      expect(mapping).toMatchObject({
        BatchSize: definition.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      });
      const queueId =
        (mapping?.EventSourceArn as { 'Fn::GetAtt': string[] } | undefined)?.['Fn::GetAtt'][0] ?? '';
      expect(allQueues[queueId]?.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        },
      });
      // Six times the target's timeout, as AWS advises for SQS event sources.
      const timeout = functions[functionLogicalId(template, definition.target)]?.Properties.Timeout;
      expect(definition.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * timeout);
      for (const producer of definition.producers) {
        const env = functions[functionLogicalId(template, producer)]?.Properties.Environment.Variables;
        expect(env[definition.urlVariable]).toEqual({ Ref: queueId });
      }
    },
  );

  it('gives the campaign dispatcher time to queue a large audience', () => {
    expect(functions[functionLogicalId(template, 'campaignDispatcher')]?.Properties.Timeout).toBe(300);
  });

  it('gives every sender its share of the configured SES rate', () => {
    const env = functions[functionLogicalId(template, 'campaignSender')]?.Properties.Environment.Variables;
    expect(env).toMatchObject({ [ENV.sesMaxSendRate]: '14', [ENV.campaignSenderConcurrency]: '2' });
  });
});

describe('stateless stack: outbox stream', () => {
  const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'));

  const mappingOf = (name: LambdaFunctionName) =>
    mappings.find((mapping) => mapping.Properties.FunctionName?.Ref === functionLogicalId(template, name))
      ?.Properties ?? {};

  it('has two mappings on the stream (outbox publisher, import worker) and one per work queue', () => {
    const onStream = mappings.filter((mapping) => JSON.stringify(mapping.Properties).includes('StreamArn'));
    expect(onStream).toHaveLength(2);
    expect(mappings).toHaveLength(2 + Object.keys(queues).length);
  });

  it('feeds only new import chunks to the import worker, one per invocation, with partial batch failures', () => {
    const mapping = mappingOf('importWorker');
    expect(mapping).toMatchObject({
      EventSourceArn: { 'Fn::ImportValue': expect.stringMatching(/StreamArn/) },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1,
      ParallelizationFactor: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: expect.any(Number),
      MaximumRecordAgeInSeconds: expect.any(Number),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
    });
    const filters = mapping.FilterCriteria.Filters as Array<{ Pattern: string }>;
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([IMPORT_CHUNK_STREAM_FILTER]);
  });

  it('feeds only new outbox items to the outbox publisher, with partial batch failures', () => {
    const mapping = mappingOf('outboxPublisher');
    expect(mapping).toMatchObject({
      FunctionName: { Ref: functionLogicalId(template, 'outboxPublisher') },
      EventSourceArn: { 'Fn::ImportValue': expect.stringMatching(/StreamArn/) },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: expect.any(Number),
      MaximumRecordAgeInSeconds: expect.any(Number),
      MaximumBatchingWindowInSeconds: expect.any(Number),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
    });
    const filters = mapping.FilterCriteria.Filters as Array<{ Pattern: string }>;
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([OUTBOX_STREAM_FILTER]);
  });
});

describe('stateless stack: queues', () => {
  const queues = resourcesOf(template, 'AWS::SQS::Queue');
  const policies = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy'));
  const queueIdsIn = (value: unknown): string[] =>
    [...JSON.stringify(value ?? null).matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g)]
      .map((match) => match[1] as string)
      .filter((id) => id in queues);

  /** Queues something else sends its failures to: rule targets, mappings, destinations, redrives. */
  const deadLetterQueueIds = new Set([
    ...Object.values(resourcesOf(template, 'AWS::Events::Rule')).flatMap((rule) =>
      (rule.Properties.Targets as Array<Record<string, unknown>>).flatMap((target) =>
        queueIdsIn(target.DeadLetterConfig),
      ),
    ),
    ...Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).flatMap((mapping) =>
      queueIdsIn(mapping.Properties.DestinationConfig),
    ),
    ...Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig')).flatMap((config) =>
      queueIdsIn(config.Properties.DestinationConfig),
    ),
    ...Object.values(queues).flatMap((queue) => queueIdsIn(queue.Properties.RedrivePolicy)),
    // Campaign schedules are created at run time, with this queue as their DeadLetterConfig.
    ...Object.values(resourcesOf(template, 'AWS::Lambda::Function')).flatMap((fn) =>
      queueIdsIn(fn.Properties.Environment?.Variables?.CAMPAIGN_SCHEDULE_DLQ_ARN),
    ),
  ]);

  it('every queue is a dead-letter queue of something, or has a redrive DLQ itself', () => {
    expect(deadLetterQueueIds.size).toBeGreaterThan(0);
    for (const [id, queue] of Object.entries(queues)) {
      if (!deadLetterQueueIds.has(id)) {
        expect(queue.Properties.RedrivePolicy, `${id} has no redrive policy`).toMatchObject({
          deadLetterTargetArn: expect.anything(),
          maxReceiveCount: expect.any(Number),
        });
      }
    }
  });

  it.each(Object.keys(queues))('%s is encrypted and refuses requests without TLS', (id) => {
    expect(queues[id]?.Properties.SqsManagedSseEnabled ?? queues[id]?.Properties.KmsMasterKeyId).toBeTruthy();
    const policy = policies.find(
      (candidate) => JSON.stringify(candidate.Properties.Queues) === JSON.stringify([{ Ref: id }]),
    );
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sqs:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('alarms when a dead-letter queue receives a message', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    for (const id of deadLetterQueueIds) {
      expect(
        alarms.some(
          (alarm) =>
            alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
            JSON.stringify(alarm.Properties.Dimensions).includes(`"${id}"`),
        ),
        `${id} has no alarm`,
      ).toBe(true);
    }
  });
});
