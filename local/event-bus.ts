import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RuleDefinition } from '#events/rules';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws-local.ts';
import { matchesPattern } from './event-pattern.ts';
import { BodyTooLargeError, closeServer, listen, readBody, sendJson } from './json-http.ts';
import { acceptEntry, type BusEvent, type PutEventsEntry, type PutEventsResultEntry } from './put-events.ts';

/** A rule as the local bus needs it; events/rules.ts entries fit, tests may use any target name. */
export type LocalRule = Pick<RuleDefinition, 'name' | 'pattern' | 'bus'> & { target: string };

export interface DeadLetter {
  rule: string;
  target: string;
  event: BusEvent;
  attempts: number;
  error: string;
  at: string;
}

export interface LocalEventBusOptions {
  /** Name handlers put events to (`EVENT_BUS_NAME`). */
  busName: string;
  rules: readonly LocalRule[];
  /** Delivers an event to a rule's target (the runtime invokes the Lambda handler). */
  invoke: (target: string, event: BusEvent) => Promise<unknown>;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  region?: string;
  /**
   * Attempts per delivery (default 3) and the first backoff (default 200 ms, doubling). AWS keeps
   * trying for up to 24 h; locally a few quick attempts show the failure without stalling tests.
   */
  retry?: { attempts?: number; baseDelayMs?: number };
  log?: (message: string) => void;
}

export interface LocalEventBus {
  /** `EVENTBRIDGE_ENDPOINT` for the SDK client. */
  endpoint: string;
  busName: string;
  /** Recently accepted events (the last 1000), newest last. */
  readonly events: readonly BusEvent[];
  /** Deliveries that failed every attempt, as a rule's DLQ would hold them. */
  readonly deadLetters: readonly DeadLetter[];
  /** Deliveries started (counts every matching rule of every event), for "did anything happen" checks. */
  readonly deliveryCount: number;
  /** Resolves when no delivery is running or waiting for a retry. */
  waitForIdle(): Promise<void>;
  /**
   * Puts an event that an AWS service publishes (source `aws.*`, which PutEvents refuses) on the
   * default bus, as SES does with a configuration set's events; rules with `bus: 'default'` match.
   */
  publishServiceEvent(event: Omit<BusEvent, 'id' | 'version' | 'account' | 'region'>): void;
  stop(): Promise<void>;
}

const MAX_REQUEST_BYTES = 1024 * 1024;
const KEPT_EVENTS = 1000;

/** AWS JSON 1.1 error, as the SDK deserializes it (`__type` becomes the error name). */
const sendError = (response: ServerResponse, status: number, type: string, message: string) =>
  sendJson(
    response,
    status,
    { __type: type, message },
    { 'x-amzn-errortype': type },
    'application/x-amz-json-1.1',
  );

/**
 * A local EventBridge bus: accepts `PutEvents` from the real SDK client (endpoint override),
 * matches each event against the rules (the same patterns the CDK app deploys) and delivers it to
 * each matching rule's target asynchronously, with retries and a dead-letter list.
 */
export const startEventBus = async (options: LocalEventBusOptions): Promise<LocalEventBus> => {
  const region = options.region ?? process.env.AWS_REGION ?? LOCAL_REGION;
  const attempts = options.retry?.attempts ?? 3;
  const baseDelayMs = options.retry?.baseDelayMs ?? 200;
  const log = options.log ?? (() => {});
  const events: BusEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const idleWaiters: (() => void)[] = [];
  const stopping = new AbortController();
  let inFlight = 0;
  let deliveryCount = 0;

  const settle = () => {
    inFlight--;
    if (inFlight === 0) for (const resolveIdle of idleWaiters.splice(0)) resolveIdle();
  };

  const deliver = async (rule: LocalRule, event: BusEvent) => {
    let lastError = '';
    for (let attempt = 1; attempt <= attempts && !stopping.signal.aborted; attempt++) {
      try {
        await options.invoke(rule.target, event);
        return;
      } catch (error) {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        log(`bus: ${rule.name} → ${rule.target} failed (attempt ${attempt}/${attempts}): ${lastError}`);
        if (attempt < attempts) {
          await sleep(baseDelayMs * 2 ** (attempt - 1), undefined, { signal: stopping.signal }).catch(
            () => {},
          );
        } else {
          deadLetters.push({
            rule: rule.name,
            target: rule.target,
            event,
            attempts,
            error: lastError,
            at: new Date().toISOString(),
          });
          log(`bus: dead-lettered ${event['detail-type']} ${event.id} for ${rule.name} → ${rule.target}`);
        }
      }
    }
  };

  const route = (event: BusEvent, busName = options.busName) => {
    events.push(event);
    events.splice(0, Math.max(0, events.length - KEPT_EVENTS));
    const onDefaultBus = busName === 'default';
    for (const rule of options.rules) {
      if ((rule.bus === 'default') !== onDefaultBus) continue;
      let matched: boolean;
      try {
        matched = matchesPattern(rule.pattern, event);
      } catch (error) {
        log(`bus: rule ${rule.name} has a pattern the local bus cannot evaluate: ${String(error)}`);
        continue;
      }
      if (!matched) continue;
      inFlight++;
      deliveryCount++;
      // After the response, like EventBridge: PutEvents never waits for targets.
      setImmediate(() => void deliver(rule, event).finally(settle));
    }
  };

  const putEvents = (input: { Entries?: PutEventsEntry[] }, response: ServerResponse) => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      sendError(response, 400, 'ValidationException', 'Entries must contain between 1 and 10 entries');
      return;
    }
    const results: PutEventsResultEntry[] = [];
    const accepted: { event: BusEvent; busName: string }[] = [];
    for (const entry of entries) {
      const outcome = acceptEntry(entry, { knownBuses: [options.busName], region });
      results.push(outcome.result);
      if (outcome.accepted) accepted.push(outcome.accepted);
    }
    for (const { event, busName } of accepted) route(event, busName);
    const failed = results.filter((result) => 'ErrorCode' in result).length;
    sendJson(response, 200, { FailedEntryCount: failed, Entries: results }, {}, 'application/x-amz-json-1.1');
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('x-amzn-requestid', randomUUID());
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || !target.startsWith('AWSEvents.')) {
      sendError(
        response,
        400,
        'UnknownOperationException',
        'The local bus only speaks the EventBridge JSON API',
      );
      return;
    }
    let input: unknown;
    try {
      input = JSON.parse((await readBody(request, MAX_REQUEST_BYTES)).toString('utf8') || '{}');
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        sendError(response, 413, 'ValidationException', 'Request too large');
      else sendError(response, 400, 'SerializationException', 'Request body is not valid JSON');
      return;
    }
    if (target === 'AWSEvents.PutEvents') putEvents(input as { Entries?: PutEventsEntry[] }, response);
    else sendError(response, 400, 'UnknownOperationException', `${target} is not supported by the local bus`);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`bus: internal error: ${String(error)}`);
      if (!response.headersSent)
        sendError(response, 500, 'InternalException', 'Internal error in the local bus');
    });
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);

  return {
    endpoint: `http://${host}:${port}`,
    busName: options.busName,
    events,
    deadLetters,
    get deliveryCount() {
      return deliveryCount;
    },
    waitForIdle: () =>
      inFlight === 0 ? Promise.resolve() : new Promise<void>((resolveIdle) => idleWaiters.push(resolveIdle)),
    publishServiceEvent: (event) =>
      route(
        { version: '0', id: randomUUID(), account: LOCAL_ACCOUNT_ID, region, ...event } as BusEvent,
        'default',
      ),
    stop: async () => {
      stopping.abort();
      await closeServer(server);
    },
  };
};
