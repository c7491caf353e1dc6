import { join } from 'node:path';
import { Arn, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type LambdaFunctionName, lambdaFunctions, timeoutSecondsOf } from '#functions/catalog';
import { type BundledFile, lambdaEsbuildOptions } from '../bundling-options.ts';
import { REPO_ROOT } from '../repo-root.ts';

type FunctionDefinition = (typeof lambdaFunctions)[LambdaFunctionName];
type FunctionKind = FunctionDefinition['kind'];

/** API handlers get more memory (and with it more CPU) for latency; background work needs less. */
const MEMORY_MB: Record<FunctionKind, number> = {
  api: 1024,
  stream: 512,
  event: 512,
  schedule: 512,
  queue: 512,
};

/** DynamoDB data-plane actions a function may be granted, without the `dynamodb:` prefix. */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'TransactGetItems'
  | 'TransactWriteItems'
  | 'ConditionCheckItem';

export interface CrmFunctionProps {
  name: LambdaFunctionName;
  environment: Record<string, string>;
  /** Files copied next to the bundle (see bundling-options.ts). */
  bundledFiles?: readonly BundledFile[];
}

/**
 * One Lambda function of the catalog: Node.js 22 on arm64, bundled by the local esbuild with the
 * options in bundling-options.ts (AWS SDK included and tree-shaken), its own log group with a
 * retention, active tracing, and a role that starts with nothing but its log group: every other
 * permission comes from one of the `grant…` helpers, each naming exact actions and resources.
 */
export class CrmFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: CrmFunctionProps) {
    super(scope, id);
    const { name, bundledFiles = [] } = props;
    const definition: FunctionDefinition = lambdaFunctions[name];
    const esbuild = lambdaEsbuildOptions;

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    // Our own role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole, which may write to every log group of the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${definition.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, definition.entry),
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      handler: 'handler',
      description: definition.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: MEMORY_MB[definition.kind],
      timeout: Duration.seconds(timeoutSecondsOf(name)),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      // SDK v3 keeps connections alive by itself; the variable only mattered to SDK v2.
      awsSdkConnectionReuse: false,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: esbuild.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
        target: esbuild.target,
        mainFields: [...esbuild.mainFields],
        minify: esbuild.minify,
        sourceMap: esbuild.sourcemap,
        sourcesContent: esbuild.sourcesContent,
        banner: esbuild.banner.js,
        bundleAwsSDK: true,
        externalModules: [],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) =>
            bundledFiles.map((file) => `cp "${join(inputDir, file.from)}" "${join(outputDir, file.to)}"`),
        },
      },
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is deliberate: the same code runs on the Node.js 20 development machines and CI, and ' +
        'the toolchain (vitest 4, middy 6) is pinned for that range; move to nodejs24.x together with it.',
    });
    // Tests assert that Resource '*' appears only in this X-Ray statement, so this acknowledgement
    // cannot hide a broader grant.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions (Resource must be *).',
    });
  }

  /**
   * Allows exactly `actions` on the table and, with `indexes`, on each named global index (no
   * `index/*` wildcard: a new index must be granted on purpose).
   */
  grantTable(
    table: ITable,
    actions: readonly TableAction[],
    options: { indexes?: readonly string[] } = {},
  ): void {
    const indexArns = (options.indexes ?? []).map((name) => `${table.tableArn}/index/${name}`);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn, ...indexArns],
      }),
    );
  }

  /** Read access to the table's stream, as a Lambda event-source mapping needs it. */
  grantTableStreamRead(table: ITable): void {
    if (!table.tableStreamArn) throw new Error(`Table ${table.node.path} has no stream`);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        resources: [table.tableStreamArn],
      }),
    );
  }

  /** events:PutEvents on this bus only. */
  grantPutEvents(bus: IEventBus): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }),
    );
  }

  /**
   * ses:SendRawEmail from the given verified identities (an address and/or its domain) through
   * one configuration set; SES checks both the identity and the configuration set.
   */
  grantSendRawEmail(identities: readonly string[], configurationSetName: string): void {
    const stack = Stack.of(this);
    const sesArn = (resource: string, resourceName: string) =>
      Arn.format({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [
          ...identities.map((identity) => sesArn('identity', identity)),
          sesArn('configuration-set', configurationSetName),
        ],
      }),
    );
  }
}
