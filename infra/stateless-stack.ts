import {
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { rules } from '#events/rules';
import { type LambdaFunctionName, lambdaFunctions } from '#functions/catalog';
import { operations } from '#shared/api/routes';
import { ENV } from '#shared/config';
import { type AppSettings, senderIdentities } from './app-settings.ts';
import { bundledFiles } from './bundling-options.ts';
import { CampaignScheduling } from './constructs/campaign-scheduling.ts';
import { CrmFunction } from './constructs/crm-function.ts';
import { CrmHttpApi } from './constructs/crm-http-api.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { EventRules } from './constructs/event-rules.ts';
import { ImportStream } from './constructs/import-stream.ts';
import { OutboxStream } from './constructs/outbox-stream.ts';
import { WorkQueues } from './constructs/work-queues.ts';
import { functionPermissions } from './function-permissions.ts';

export interface StatelessStackProps extends StackProps {
  settings: AppSettings;
  table: ITable;
  eventBus: IEventBus;
  userPool: IUserPool;
  spaClient: IUserPoolClient;
  configurationSet: IConfigurationSet;
}

/**
 * Lambda invokes event consumers asynchronously: after EventBridge hands an event over, failures
 * of the function itself are retried by Lambda (not by the rule's retry policy) and then land in
 * this destination instead of being dropped.
 */
const ASYNC_INVOKE = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

/** `customersApi` → `CustomersApi`: construct ids are PascalCase. */
const pascal = (name: string) => `${name[0]?.toUpperCase()}${name.slice(1)}`;

/**
 * The code and its wiring, all derived from the catalogs: one function per functions/catalog.ts
 * entry, one route per shared/api/routes.ts operation, one rule per events/rules.ts entry, and the
 * outbox stream mapping. Holds no data: it can be destroyed and redeployed freely.
 */
export class StatelessStack extends Stack {
  readonly functions: Record<LambdaFunctionName, CrmFunction>;
  readonly httpApi: CrmHttpApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings, table, eventBus, configurationSet } = props;
    // Exports/ImportValue: CloudFormation itself refuses to delete a data resource while this
    // stack still uses it. The price (first stop using a resource, then remove it) suits data
    // that is retained anyway.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    this.httpApi = new CrmHttpApi(this, 'Api', {
      userPool: props.userPool,
      spaClient: props.spaClient,
      allowedOrigins: settings.spaOrigins,
      methods: operations.map((operation) => operation.method),
      throttle: { rateLimit: settings.apiRateLimit, burstLimit: settings.apiBurstLimit },
    });

    // The same names the local runtime sets (shared/config.ts); the *_ENDPOINT overrides are
    // local-only and never set here.
    const environment: Record<string, string> = {
      [ENV.tableName]: table.tableName,
      [ENV.eventBusName]: eventBus.eventBusName,
      [ENV.emailFrom]: settings.emailFrom,
      [ENV.sesConfigurationSet]: configurationSet.configurationSetName,
      [ENV.publicBaseUrl]: settings.publicBaseUrl ?? this.httpApi.baseUrl,
      [ENV.apiRateLimit]: String(settings.apiRateLimit),
      ...(settings.senderPostalAddress ? { [ENV.senderPostalAddress]: settings.senderPostalAddress } : {}),
      ...(settings.loyalMinOrders ? { [ENV.loyalMinOrders]: String(settings.loyalMinOrders) } : {}),
      ...(settings.atRiskAfterDays ? { [ENV.atRiskAfterDays]: String(settings.atRiskAfterDays) } : {}),
      ...(settings.churnedAfterDays ? { [ENV.churnedAfterDays]: String(settings.churnedAfterDays) } : {}),
      ...(settings.conversionWindowDays
        ? { [ENV.conversionWindowDays]: String(settings.conversionWindowDays) }
        : {}),
      [ENV.sesMaxSendRate]: String(settings.sesMaxSendRate),
      [ENV.campaignSenderConcurrency]: String(settings.campaignSenderConcurrency),
    };

    const sender = senderIdentities(settings.emailFrom);
    const resources = {
      table,
      bus: eventBus,
      emailIdentities: [sender.address, sender.domain],
      configurationSetName: configurationSet.configurationSetName,
    };

    const names = Object.keys(lambdaFunctions) as LambdaFunctionName[];
    this.functions = Object.fromEntries(
      names.map((name) => {
        const definition = lambdaFunctions[name];
        const fn = new CrmFunction(this, pascal(name), {
          name,
          environment,
          bundledFiles: bundledFiles[name],
        });
        functionPermissions[name](fn, resources);
        if (definition.kind === 'event' || definition.kind === 'schedule') {
          const failures = new DeadLetterQueue(fn, 'AsyncFailures', {
            description: `Invocations of ${name} that failed after Lambda's retries (with the event and the error).`,
          });
          fn.function.configureAsyncInvoke({
            ...ASYNC_INVOKE,
            onFailure: new SqsDestination(failures.queue),
          });
        }
        return [name, fn];
      }),
    ) as Record<LambdaFunctionName, CrmFunction>;

    const handlers = {} as Record<LambdaFunctionName, IFunction>;
    for (const name of names) handlers[name] = this.functions[name].function;
    this.httpApi.addOperations(operations, handlers);
    new EventRules(this, 'Rules', { bus: eventBus, rules, functions: handlers });
    new CampaignScheduling(this, 'CampaignScheduling', {
      api: this.functions.campaignsApi,
      dispatcher: handlers.campaignDispatcher,
    });
    for (const name of names) {
      const definition = lambdaFunctions[name];
      if ('schedule' in definition) {
        new Rule(this, `${pascal(name)}Schedule`, {
          description: definition.description,
          schedule: Schedule.expression(definition.schedule),
          targets: [new LambdaFunction(handlers[name], { retryAttempts: 2 })],
        });
      }
    }
    new OutboxStream(this, 'OutboxStream', { table, publisher: this.functions.outboxPublisher });
    new ImportStream(this, 'ImportStream', { table, worker: this.functions.importWorker });
    new WorkQueues(this, 'Queues', {
      functions: this.functions,
      maxConcurrency: { campaignSend: settings.campaignSenderConcurrency },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.baseUrl });
  }
}
