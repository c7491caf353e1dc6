import type { App, StackProps } from 'aws-cdk-lib';
import { readAppSettings } from './app-settings.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

/** Stack names: also the CloudFormation stack names. */
export const STACK_IDS = { data: 'CirrusCrmData', app: 'CirrusCrmApp' } as const;

/**
 * Adds both stacks to `app`: the stateful one and the stateless one that receives its resources.
 * Kept apart from app.ts so tests build exactly what the CLI deploys, without the CLI.
 */
export const buildApp = (app: App) => {
  const settings = readAppSettings(app.node);
  // Environment-agnostic unless the CLI knows an account and region (synth works offline).
  const env: StackProps['env'] = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };

  const data = new StatefulStack(app, STACK_IDS.data, {
    env,
    description: 'Cirrus CRM data: table, event bus and archive, user pool, SES configuration set',
    eventBusName: settings.eventBusName,
    spaOrigins: settings.spaOrigins,
    authDomainPrefix: settings.authDomainPrefix,
  });
  const service = new StatelessStack(app, STACK_IDS.app, {
    env,
    description: 'Cirrus CRM code: functions, HTTP API, event rules, outbox stream',
    settings,
    table: data.table,
    eventBus: data.eventBus,
    userPool: data.userPool,
    spaClient: data.spaClient,
    configurationSet: data.configurationSet,
  });
  return { data, service };
};
