import { join } from 'node:path';
import { rules } from '#events/rules';
import type { LambdaFunctionName } from '#functions/catalog';
import { queues } from '#functions/queues';
import { operations } from '#shared/api/routes';
import { ENV } from '#shared/config';
import { IMPORT_CHUNK_STREAM_FILTER } from '#shared/data/import-stream-filter';
import { OUTBOX_STREAM_FILTER } from '#shared/data/table-definition';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from './aws-local.ts';
import { startDynamoDBLocal } from './dynamodb-local.ts';
import { type LocalEventBus, startEventBus } from './event-bus.ts';
import { startHttpServer } from './http-server.ts';
import { createInvoker, type LambdaHandler } from './invoke.ts';
import { cirrusHome } from './paths.ts';
import { startScheduledFunctions } from './scheduled-functions.ts';
import { startSchedulerApi } from './scheduler-api.ts';
import { startSesEmulator } from './ses-emulator.ts';
import { type SesEvents, startSesEvents } from './ses-events.ts';
import { type LocalSqs, startLocalSqs } from './sqs-queues.ts';
import { type StreamPoller, startStreamPoller } from './stream-poller.ts';
import { ensureTable } from './table.ts';

export const EVENT_BUS_NAME = 'cirrus-crm';
export const DEFAULT_TABLE_NAME = 'cirrus-crm';

export interface LocalRuntimeOptions {
  /** HTTP API port, default 3000; 0 picks a free port. */
  port?: number;
  /** Interface to listen on, default 127.0.0.1 (use 0.0.0.0 inside a container). */
  host?: string;
  /** Throwaway data: DynamoDB Local runs with -inMemory and no stream checkpoints are kept. */
  inMemory?: boolean;
  /** Where persisted data lives, default `.cirrus/dynamodb`. */
  dataDir?: string;
  tableName?: string;
  /** Reuse a running DynamoDB Local (tests share one per run) instead of starting one. */
  dynamodbEndpoint?: string;
  /** Reuse a running SES emulator instead of starting one. */
  sesEndpoint?: string;
  /** SES emulator port when starting one, default 8005; 0 picks a free port. */
  sesPort?: number;
  /** No runtime logs (request lines, retries, dead letters). */
  quiet?: boolean;
  /** Handlers to use instead of the catalog's modules (tests that need fakes). */
  handlers?: Partial<Record<LambdaFunctionName, LambdaHandler>>;
  /** Port of the open/click tracking server (local/ses-events.ts), default 0 (a free port). */
  trackingPort?: number;
  /** Retry tuning for the bus and the stream poller (tests make failures quick). */
  retry?: { attempts?: number; baseDelayMs?: number };
}

export interface LocalRuntime {
  apiUrl: string;
  mailboxUrl: string;
  sesEndpoint: string;
  dynamodbEndpoint: string;
  tableName: string;
  bus: LocalEventBus;
  /** SES's sending events locally: base URL of `/open/<messageId>` and `/click/<messageId>?url=`. */
  trackingUrl: string;
  sesEvents: SesEvents;
  poller: StreamPoller;
  /** The second mapping on the stream: import chunks → import worker. */
  importPoller: StreamPoller;
  /** The work queues (functions/queues.ts) and their deliveries to the same handlers. */
  queues: LocalSqs;
  /** How long DynamoDB Local took to start (0 when reused). */
  dynamodbStartupMs: number;
  /**
   * Resolves when everything caused so far has played out: the stream is read to the end, every
   * bus delivery is done, and those deliveries wrote no new outbox items. Tests use it, not sleeps.
   */
  waitForIdle(): Promise<void>;
  /** Stops what this runtime started (servers, poller, and DynamoDB Local/SES unless reused). */
  stop(): Promise<void>;
}

let running = false;
/**
 * Handler modules build their EventBridge client once, from EVENTBRIDGE_ENDPOINT: a later runtime
 * in the same process (another test in the same file) reuses the bus port so they still reach it.
 */
let lastBusPort = 0;
/** Likewise for the SES client (SES_ENDPOINT): the SES events front keeps its port. */
let lastSesFrontPort = 0;

/**
 * Sets what handlers read, before any handler module is imported. Dummy credentials on purpose:
 * every client points at a local endpoint, and no real AWS key should be in play.
 */
const setHandlerEnvironment = (values: Record<string, string>) => {
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    ...values,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
};

/**
 * Starts the whole backend on this machine: DynamoDB Local with the app's table, the SES
 * emulator, the local event bus, the stream poller feeding the outbox publisher, and the HTTP API.
 * Used by `npm start` and by end-to-end tests.
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions = {}): Promise<LocalRuntime> => {
  if (running) throw new Error('A local runtime is already running in this process: stop it first');
  running = true;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const log = options.quiet ? () => {} : (message: string) => console.log(`[local] ${message}`);
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const dataDir = options.dataDir ?? join(cirrusHome(), 'dynamodb');
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
    running = false;
  };

  try {
    const [dynamodb, ses] = await Promise.all([
      options.dynamodbEndpoint
        ? { endpoint: options.dynamodbEndpoint, startupMs: 0, stop: async () => {} }
        : startDynamoDBLocal({ inMemory: options.inMemory, dbPath: dataDir, port: 0 }),
      options.sesEndpoint
        ? { endpoint: options.sesEndpoint, mailboxUrl: options.sesEndpoint, stop: async () => {} }
        : startSesEmulator({ port: options.sesPort ?? 8005, host: options.host }),
    ]);
    stops.push(dynamodb.stop, ses.stop);
    await ensureTable(dynamodb.endpoint, tableName);

    const invoke = createInvoker({ handlers: options.handlers });
    const startBus = (port: number) =>
      startEventBus({
        busName: EVENT_BUS_NAME,
        rules,
        port,
        retry: options.retry,
        log,
        invoke: (target, event) => invoke(target as LambdaFunctionName, event),
      });
    const bus = await startBus(lastBusPort).catch(() => startBus(0));
    lastBusPort = Number(new URL(bus.endpoint).port);
    stops.push(bus.stop);
    const startSesFront = (sesPort: number) =>
      startSesEvents({
        emulatorEndpoint: ses.endpoint,
        bus,
        host: options.host,
        sesPort,
        trackingPort: options.trackingPort,
        log,
      });
    const sesEvents = await startSesFront(lastSesFrontPort).catch(() => startSesFront(0));
    lastSesFrontPort = Number(new URL(sesEvents.sesEndpoint).port);
    stops.push(sesEvents.stop);

    // EventBridge Scheduler's stand-in: campaign schedules invoke the dispatcher from here.
    const schedulerApi = await startSchedulerApi({
      host: options.host,
      invoke: (target, event) => invoke(target as LambdaFunctionName, event),
      log,
    });
    stops.push(schedulerApi.stop);

    // SQS and its event source mappings: the same queues, batch sizes and redrive counts as in AWS.
    const senderConcurrency = Number(process.env[ENV.campaignSenderConcurrency] || 2);
    const localQueues = await startLocalSqs({
      queues: Object.entries(queues).map(([name, definition]) => ({
        name,
        target: definition.target,
        batchSize: definition.batchSize,
        maxConcurrency: senderConcurrency,
        visibilityTimeoutSeconds: definition.visibilityTimeoutSeconds,
        maxReceiveCount: definition.maxReceiveCount,
      })),
      host: options.host,
      // Locally a failed message comes back after 3 s instead of 30 min: retries stay visible.
      retry: { delayScale: options.retry?.baseDelayMs === undefined ? 3 / 1800 : 0.0005 },
      invoke: (target, event) => invoke(target as LambdaFunctionName, event),
      log,
    });
    stops.push(localQueues.stop);
    const queueUrls = Object.fromEntries(
      Object.entries(queues).map(([name, definition]) => [
        definition.urlVariable,
        localQueues.queueUrl(name),
      ]),
    );

    setHandlerEnvironment({
      ...queueUrls,
      [ENV.sqsEndpoint]: localQueues.endpoint,
      [ENV.tableName]: tableName,
      [ENV.eventBusName]: EVENT_BUS_NAME,
      [ENV.dynamodbEndpoint]: dynamodb.endpoint,
      [ENV.eventBridgeEndpoint]: bus.endpoint,
      [ENV.sesEndpoint]: sesEvents.sesEndpoint,
      [ENV.sesConfigurationSet]: process.env[ENV.sesConfigurationSet] || 'cirrus-crm-local',
      [ENV.schedulerEndpoint]: schedulerApi.endpoint,
      [ENV.campaignScheduleGroup]: 'cirrus-campaigns',
      [ENV.campaignSchedulerRoleArn]: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local-scheduler`,
      [ENV.campaignDispatcherArn]: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:campaignDispatcher`,
      [ENV.emailFrom]: process.env[ENV.emailFrom] || 'Cirrus CRM <hello@example.com>',
    });

    const poller = await startStreamPoller({
      endpoint: dynamodb.endpoint,
      tableName,
      filter: OUTBOX_STREAM_FILTER,
      invoke: (event) => invoke('outboxPublisher', event),
      // Persisted data keeps its read position, so a restart does not republish old events.
      checkpointFile: options.inMemory ? undefined : join(dataDir, 'stream-checkpoints', `${tableName}.json`),
      retry: options.retry,
      log,
    });
    stops.push(poller.stop);
    // As in AWS, one chunk per invocation (batch size 1) through its own filter and checkpoints.
    const importPoller = await startStreamPoller({
      endpoint: dynamodb.endpoint,
      tableName,
      filter: IMPORT_CHUNK_STREAM_FILTER,
      batchSize: 1,
      invoke: (event) => invoke('importWorker', event),
      checkpointFile: options.inMemory
        ? undefined
        : join(dataDir, 'stream-checkpoints', `${tableName}.imports.json`),
      retry: options.retry,
      log,
    });
    stops.push(importPoller.stop);

    const scheduledFunctions = startScheduledFunctions({ invoke: (name, event) => invoke(name, event), log });
    stops.push(scheduledFunctions.stop);

    const http = await startHttpServer({
      routes: operations,
      invoke: (functionName, event) => invoke(functionName, event),
      port: options.port ?? 3000,
      host: options.host,
      log,
    });
    stops.push(http.stop);
    // Read lazily by handlers (links in e-mails), so setting it once the port is known is enough.
    process.env[ENV.publicBaseUrl] = http.url;

    const waitForIdle = async () => {
      for (let round = 0; round < 100; round++) {
        await importPoller.waitForIdle();
        await poller.waitForIdle();
        await sesEvents.waitForIdle();
        await bus.waitForIdle();
        await localQueues.waitForIdle();
        const delivered = () =>
          poller.deliveredCount +
          importPoller.deliveredCount +
          bus.deliveryCount +
          localQueues.deliveredCount;
        const seen = delivered();
        // Consumers may have written outbox items of their own: settle until nothing new happens.
        await importPoller.waitForIdle();
        await poller.waitForIdle();
        if (delivered() === seen) return;
      }
      throw new Error(
        'The local runtime did not settle after 100 rounds: is something publishing in a loop?',
      );
    };

    return {
      apiUrl: http.url,
      mailboxUrl: ses.mailboxUrl,
      sesEndpoint: ses.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      tableName,
      bus,
      trackingUrl: sesEvents.trackingUrl,
      sesEvents,
      poller,
      importPoller,
      queues: localQueues,
      dynamodbStartupMs: dynamodb.startupMs,
      waitForIdle,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
