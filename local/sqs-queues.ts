import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws-local.ts';
import { BodyTooLargeError, closeServer, listen, readBody, sendJson } from './json-http.ts';

/**
 * A local Amazon SQS plus the Lambda event source mapping that drains it: the real SQS client
 * sends to it (endpoint override, AWS JSON 1.0), and each queue delivers its messages to one
 * function as Lambda SQS events, with ReportBatchItemFailures, visibility timeouts and a redrive
 * count. fauxqs would do the SQS half but needs Node.js ≥ 22.5 (shared/TOOLCHAIN.md).
 */
export interface LocalQueueDefinition {
  /** Queue name, e.g. 'campaign-send'. */
  name: string;
  /** Function the event source mapping invokes with SQS events. */
  target: string;
  /** Most records per invocation (the mapping's BatchSize). */
  batchSize: number;
  /** Most invocations of this queue running at once (the mapping's MaximumConcurrency). */
  maxConcurrency: number;
  /** A failed record becomes visible again after this (scaled by `retry.delayScale`). */
  visibilityTimeoutSeconds: number;
  /** Redrive policy: a record that fails on its maxReceiveCount-th receive is dead-lettered. */
  maxReceiveCount: number;
  /** The queue's MaximumMessageSize (default 256 KiB). */
  maximumMessageBytes?: number;
}

export interface QueueDeadLetter {
  queue: string;
  /** The record as the handler last saw it. */
  message: SQSRecord;
  receiveCount: number;
  /** Why the last delivery failed: the thrown error, or absent when the handler reported the item. */
  error?: string;
  at: string;
}

export interface LocalSqsOptions {
  queues: readonly LocalQueueDefinition[];
  /** Invokes a function with an SQS event (the runtime calls the Lambda handler). */
  invoke: (target: string, event: SQSEvent) => Promise<unknown>;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  region?: string;
  /**
   * Visibility timeouts and DelaySeconds are waited for `seconds * 1000 * delayScale` ms
   * (default 0.01): the behaviour shows locally without stalling tests.
   */
  retry?: { delayScale?: number };
  log?: (line: string) => void;
}

export interface LocalSqs {
  /** `SQS_ENDPOINT` for the SDK client. */
  endpoint: string;
  /** The queue's URL, as GetQueueUrl returns it. */
  queueUrl(name: string): string;
  /** Records that failed their last allowed receive, as the queue's DLQ would hold them. */
  readonly deadLetters: readonly QueueDeadLetter[];
  /** Invocations started, for "did anything happen" checks. */
  readonly deliveredCount: number;
  /** Resolves when no message is waiting, being delivered or delayed, on any queue. */
  waitForIdle(): Promise<void>;
  stop(): Promise<void>;
}

/** A message attribute as the SQS API carries it (binary values base64 in JSON). */
interface WireMessageAttribute {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string;
}
type WireMessageAttributes = Record<string, WireMessageAttribute>;

interface SendMessageInput {
  QueueUrl?: string;
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: WireMessageAttributes;
  MessageSystemAttributes?: WireMessageAttributes;
}
interface SendMessageBatchEntry extends Omit<SendMessageInput, 'QueueUrl'> {
  Id?: string;
}

interface QueuedMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  messageAttributes: SQSMessageAttributes;
  traceHeader?: string;
  senderId: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  state: 'delayed' | 'visible' | 'inFlight' | 'invisible';
  timer?: NodeJS.Timeout;
}

interface QueueState {
  definition: LocalQueueDefinition;
  arn: string;
  createdSeconds: string;
  /** Every message not yet deleted or dead-lettered, by id. */
  messages: Map<string, QueuedMessage>;
  /** Visible messages in the order they will be delivered. */
  visible: QueuedMessage[];
  running: number;
  pumpScheduled: boolean;
}

const JSON_1_0 = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';
const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const MAX_DELAY_SECONDS = 900;
const MAX_BATCH_ENTRIES = 10;
const MAX_MESSAGE_ATTRIBUTES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
/** The characters SQS accepts in a body (XML 1.0's, minus the rest); lone surrogates fail too. */
const INVALID_BODY_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/**
 * An SQS error in AWS JSON 1.0 with the query-compatible code header: the SDK names the error
 * from `x-amzn-query-error` (so QueueDoesNotExist carries Code AWS.SimpleQueueService.NonExistentQueue).
 */
class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string | undefined,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const sqsError = (shape: string, queryCode: string, message: string) =>
  new SqsError(`com.amazonaws.sqs#${shape}`, queryCode, message);
const invalidParameter = (message: string) =>
  new SqsError('com.amazon.coral.service#InvalidParameterValueException', 'InvalidParameterValue', message);
const missingParameter = (name: string) =>
  new SqsError(
    'com.amazon.coral.service#MissingParameterException',
    'MissingParameter',
    `The request must contain the parameter ${name}.`,
  );
const queueDoesNotExist = () =>
  sqsError(
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue',
    'The specified queue does not exist.',
  );

const sendError = (response: ServerResponse, error: SqsError) =>
  sendJson(
    response,
    error.status,
    { __type: error.type, message: error.message },
    error.queryCode
      ? { 'x-amzn-query-error': `${error.queryCode};${error.status < 500 ? 'Sender' : 'Receiver'}` }
      : {},
    JSON_1_0,
  );

const md5Hex = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

const lengthPrefixed = (bytes: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return [length, bytes];
};

/** AWS's digest of message attributes: sorted by name, each field length-prefixed, a transport byte. */
const md5OfAttributes = (attributes: WireMessageAttributes): string | undefined => {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const attribute = attributes[name] as WireMessageAttribute;
    const isBinary = attribute.BinaryValue !== undefined;
    parts.push(...lengthPrefixed(Buffer.from(name, 'utf8')));
    parts.push(...lengthPrefixed(Buffer.from(attribute.DataType ?? '', 'utf8')));
    parts.push(Buffer.from([isBinary ? 2 : 1]));
    const value = isBinary
      ? Buffer.from(attribute.BinaryValue ?? '', 'base64')
      : Buffer.from(attribute.StringValue ?? '', 'utf8');
    parts.push(...lengthPrefixed(value));
  }
  return md5Hex(Buffer.concat(parts));
};

const validateAttributes = (attributes: WireMessageAttributes) => {
  const names = Object.keys(attributes);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameter(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name] as WireMessageAttribute;
    if (!ATTRIBUTE_NAME.test(name) || name.includes('..') || /^(aws|amazon)\./i.test(name)) {
      throw invalidParameter(`Message (user) attribute name '${name}' is invalid.`);
    }
    const baseType = ATTRIBUTE_DATA_TYPE.exec(DataType ?? '')?.[1];
    if (!baseType) {
      throw invalidParameter(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    const value = baseType === 'Binary' ? BinaryValue : StringValue;
    if (!value) {
      throw invalidParameter(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${baseType}'.`,
      );
    }
    if (baseType === 'Number' && !Number.isFinite(Number(value))) {
      throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
  }
};

/** What SQS counts against MaximumMessageSize: the body and every attribute's name, type and value. */
const messageBytes = (body: string, attributes: WireMessageAttributes) => {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType ?? '');
    size +=
      attribute.BinaryValue !== undefined
        ? Buffer.from(attribute.BinaryValue, 'base64').length
        : Buffer.byteLength(attribute.StringValue ?? '');
  }
  return size;
};

/** Lambda's shape of message attributes in an SQS event record. */
const toLambdaAttributes = (attributes: WireMessageAttributes): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, attribute]) => [
      name,
      {
        ...(attribute.StringValue !== undefined && { stringValue: attribute.StringValue }),
        ...(attribute.BinaryValue !== undefined && { binaryValue: attribute.BinaryValue }),
        stringListValues: [],
        binaryListValues: [],
        dataType: attribute.DataType ?? 'String',
      },
    ]),
  );

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The access key the request was signed with: SQS reports the sender's identity as SenderId. */
const senderIdOf = (request: IncomingMessage) =>
  /Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? LOCAL_ACCOUNT_ID;

/**
 * Which records of a batch failed, from the handler's ReportBatchItemFailures response. As in
 * Lambda, an identifier that names no record of the batch fails the whole batch.
 */
const failedRecordIds = (result: unknown, records: readonly SQSRecord[]): Set<string> => {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) return new Set();
  const batchIds = new Set(records.map((record) => record.messageId));
  const failedIds = failures.map((failure) => (failure as { itemIdentifier?: unknown })?.itemIdentifier);
  if (failedIds.some((id) => typeof id !== 'string' || !batchIds.has(id))) {
    throw new Error(`batchItemFailures names an unknown itemIdentifier: ${JSON.stringify(failures)}`);
  }
  return new Set(failedIds as string[]);
};

const validateDefinition = (definition: LocalQueueDefinition) => {
  const positive = ['batchSize', 'maxConcurrency', 'maxReceiveCount'] as const;
  for (const key of positive) {
    if (!Number.isInteger(definition[key]) || definition[key] < 1) {
      throw new Error(`Queue ${definition.name}: ${key} must be a positive integer`);
    }
  }
  if (!(definition.visibilityTimeoutSeconds >= 0)) {
    throw new Error(`Queue ${definition.name}: visibilityTimeoutSeconds must be 0 or more`);
  }
};

export const startLocalSqs = async (options: LocalSqsOptions): Promise<LocalSqs> => {
  const region = options.region ?? process.env.AWS_REGION ?? LOCAL_REGION;
  const delayScale = options.retry?.delayScale ?? 0.01;
  const log = options.log ?? (() => {});
  const createdSeconds = String(Math.floor(Date.now() / 1000));
  const queues = new Map<string, QueueState>();
  for (const definition of options.queues) {
    validateDefinition(definition);
    if (queues.has(definition.name)) throw new Error(`Queue ${definition.name} is defined twice`);
    queues.set(definition.name, {
      definition,
      arn: `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${definition.name}`,
      createdSeconds,
      messages: new Map(),
      visible: [],
      running: 0,
      pumpScheduled: false,
    });
  }
  const deadLetters: QueueDeadLetter[] = [];
  const idleWaiters: (() => void)[] = [];
  let deliveredCount = 0;
  let stopped = false;
  let endpoint = '';

  const scaledMs = (seconds: number) => seconds * 1000 * delayScale;
  const queueUrl = (name: string) => `${endpoint}/${LOCAL_ACCOUNT_ID}/${name}`;

  const isIdle = () =>
    [...queues.values()].every((queue) => queue.messages.size === 0 && queue.running === 0);
  const notifyIfIdle = () => {
    if (isIdle()) for (const resolveIdle of idleWaiters.splice(0)) resolveIdle();
  };

  const makeVisible = (queue: QueueState, message: QueuedMessage) => {
    message.state = 'visible';
    message.timer = undefined;
    queue.visible.push(message);
    schedulePump(queue);
  };

  /** Hides a message (delay or visibility timeout); it comes back on its own. */
  const hide = (
    queue: QueueState,
    message: QueuedMessage,
    state: 'delayed' | 'invisible',
    seconds: number,
  ) => {
    message.state = state;
    message.timer = setTimeout(() => makeVisible(queue, message), scaledMs(seconds));
  };

  /** Starts invocations on the next turn, so a send's response is written before its handler runs. */
  const schedulePump = (queue: QueueState) => {
    if (queue.pumpScheduled || stopped) return;
    queue.pumpScheduled = true;
    setImmediate(() => {
      queue.pumpScheduled = false;
      pump(queue);
    });
  };

  const pump = (queue: QueueState) => {
    const { batchSize, maxConcurrency } = queue.definition;
    while (!stopped && queue.visible.length > 0 && queue.running < maxConcurrency) {
      const batch = queue.visible.splice(0, batchSize);
      queue.running++;
      deliveredCount++;
      void deliverBatch(queue, batch).finally(() => {
        queue.running--;
        pump(queue);
        notifyIfIdle();
      });
    }
  };

  const receive = (queue: QueueState, message: QueuedMessage): SQSRecord => {
    message.state = 'inFlight';
    message.receiveCount++;
    message.firstReceiveTimestamp ??= Date.now();
    return {
      messageId: message.messageId,
      receiptHandle: randomBytes(48).toString('base64'),
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentTimestamp),
        SenderId: message.senderId,
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
        ...(message.traceHeader !== undefined && { AWSTraceHeader: message.traceHeader }),
      },
      // A copy per receive, as Lambda's JSON would be: a handler's edits stay in its invocation.
      messageAttributes: structuredClone(message.messageAttributes),
      md5OfBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes !== undefined && {
        md5OfMessageAttributes: message.md5OfMessageAttributes,
      }),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: region,
    };
  };

  const fail = (queue: QueueState, message: QueuedMessage, record: SQSRecord, error?: string) => {
    if (message.receiveCount < queue.definition.maxReceiveCount) {
      hide(queue, message, 'invisible', queue.definition.visibilityTimeoutSeconds);
      return;
    }
    queue.messages.delete(message.messageId);
    deadLetters.push({
      queue: queue.definition.name,
      message: record,
      receiveCount: message.receiveCount,
      ...(error !== undefined && { error }),
      at: new Date().toISOString(),
    });
    log(
      `sqs: ${queue.definition.name}: dead-lettered ${message.messageId} after ${message.receiveCount} receives`,
    );
  };

  const deliverBatch = async (queue: QueueState, batch: QueuedMessage[]) => {
    const { name, target } = queue.definition;
    const records = batch.map((message) => receive(queue, message));
    let failedIds: Set<string>;
    let error: string | undefined;
    try {
      failedIds = failedRecordIds(await options.invoke(target, { Records: records }), records);
    } catch (cause) {
      error = describeError(cause);
      failedIds = new Set(records.map((record) => record.messageId));
    }
    if (failedIds.size > 0) {
      log(
        `sqs: ${name} → ${target} failed ${failedIds.size} of ${records.length} records${error ? `: ${error}` : ''}`,
      );
    }
    if (stopped) return;
    batch.forEach((message, index) => {
      if (failedIds.has(message.messageId)) fail(queue, message, records[index] as SQSRecord, error);
      else queue.messages.delete(message.messageId);
    });
  };

  const queueOf = (url: unknown): QueueState => {
    if (typeof url !== 'string' || url === '') throw missingParameter('QueueUrl');
    let name: string | undefined;
    try {
      name = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '');
    } catch {
      throw sqsError(
        'InvalidAddress',
        'InvalidAddress',
        `The address ${url} is not valid for this endpoint.`,
      );
    }
    const queue = queues.get(name);
    if (!queue) throw queueDoesNotExist();
    return queue;
  };

  /** Validates one message and queues it; the response fields SendMessage and batch entries share. */
  const accept = (queue: QueueState, input: Omit<SendMessageInput, 'QueueUrl'>, senderId: string) => {
    const body = input.MessageBody;
    if (typeof body !== 'string' || body === '') throw missingParameter('MessageBody');
    if (INVALID_BODY_CHARACTER.test(body)) {
      throw sqsError('InvalidMessageContents', 'InvalidMessageContents', 'Invalid characters found.');
    }
    const delaySeconds = input.DelaySeconds ?? 0;
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
      throw invalidParameter(
        `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`,
      );
    }
    const attributes = input.MessageAttributes ?? {};
    validateAttributes(attributes);
    const maxBytes = queue.definition.maximumMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (messageBytes(body, attributes) > maxBytes) {
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${maxBytes} bytes.`,
      );
    }
    const systemAttributes = input.MessageSystemAttributes ?? {};
    const message: QueuedMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      md5OfMessageAttributes: md5OfAttributes(attributes),
      messageAttributes: toLambdaAttributes(attributes),
      traceHeader: systemAttributes.AWSTraceHeader?.StringValue,
      senderId,
      sentTimestamp: Date.now(),
      receiveCount: 0,
      state: 'visible',
    };
    queue.messages.set(message.messageId, message);
    if (delaySeconds > 0) hide(queue, message, 'delayed', delaySeconds);
    else makeVisible(queue, message);
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes && { MD5OfMessageAttributes: message.md5OfMessageAttributes }),
      ...(Object.keys(systemAttributes).length > 0 && {
        MD5OfMessageSystemAttributes: md5OfAttributes(systemAttributes),
      }),
    };
  };

  const sendMessage = (input: SendMessageInput, senderId: string) =>
    accept(queueOf(input.QueueUrl), input, senderId);

  const validateBatchEntries = (entries: unknown): SendMessageBatchEntry[] => {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw sqsError(
        'EmptyBatchRequest',
        'AWS.SimpleQueueService.EmptyBatchRequest',
        'There should be at least one SendMessageBatchRequestEntry in the request.',
      );
    }
    if (entries.length > MAX_BATCH_ENTRIES) {
      throw sqsError(
        'TooManyEntriesInBatchRequest',
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
      );
    }
    const ids = new Set<string>();
    for (const entry of entries as SendMessageBatchEntry[]) {
      if (typeof entry?.Id !== 'string' || !BATCH_ENTRY_ID.test(entry.Id)) {
        throw sqsError(
          'InvalidBatchEntryId',
          'AWS.SimpleQueueService.InvalidBatchEntryId',
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        );
      }
      if (ids.has(entry.Id)) {
        throw sqsError(
          'BatchEntryIdsNotDistinct',
          'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
          `Id ${entry.Id} repeated.`,
        );
      }
      ids.add(entry.Id);
    }
    return entries as SendMessageBatchEntry[];
  };

  const sendMessageBatch = (input: { QueueUrl?: string; Entries?: unknown }, senderId: string) => {
    const queue = queueOf(input.QueueUrl);
    const entries = validateBatchEntries(input.Entries);
    const maxBytes = queue.definition.maximumMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const totalBytes = entries.reduce(
      (sum, entry) => sum + messageBytes(String(entry.MessageBody ?? ''), entry.MessageAttributes ?? {}),
      0,
    );
    if (totalBytes > maxBytes) {
      throw sqsError(
        'BatchRequestTooLong',
        'AWS.SimpleQueueService.BatchRequestTooLong',
        `Batch requests cannot be longer than ${maxBytes} bytes. You have sent ${totalBytes} bytes.`,
      );
    }
    const Successful: Record<string, unknown>[] = [];
    const Failed: Record<string, unknown>[] = [];
    for (const entry of entries) {
      try {
        Successful.push({ Id: entry.Id, ...accept(queue, entry, senderId) });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id: entry.Id, SenderFault: true, Code: error.queryCode, Message: error.message });
      }
    }
    return { Successful, Failed };
  };

  const getQueueUrl = (input: { QueueName?: string }) => {
    if (typeof input.QueueName !== 'string' || input.QueueName === '') throw missingParameter('QueueName');
    if (!queues.has(input.QueueName)) throw queueDoesNotExist();
    return { QueueUrl: queueUrl(input.QueueName) };
  };

  const queueAttributes = (queue: QueueState): Record<string, string> => {
    const count = (state: QueuedMessage['state']) =>
      String([...queue.messages.values()].filter((message) => message.state === state).length);
    return {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: count('visible'),
      ApproximateNumberOfMessagesNotVisible: String(Number(count('inFlight')) + Number(count('invisible'))),
      ApproximateNumberOfMessagesDelayed: count('delayed'),
      VisibilityTimeout: String(queue.definition.visibilityTimeoutSeconds),
      MaximumMessageSize: String(queue.definition.maximumMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES),
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      CreatedTimestamp: queue.createdSeconds,
      LastModifiedTimestamp: queue.createdSeconds,
    };
  };

  /** Attributes this queue has, filtered to the names asked for ('All' = every one). */
  const getQueueAttributes = (input: { QueueUrl?: string; AttributeNames?: string[] }) => {
    const attributes = queueAttributes(queueOf(input.QueueUrl));
    const wanted = input.AttributeNames ?? [];
    if (wanted.includes('All')) return { Attributes: attributes };
    return {
      Attributes: Object.fromEntries(Object.entries(attributes).filter(([name]) => wanted.includes(name))),
    };
  };

  const operations = new Map<string, (input: never, senderId: string) => unknown>([
    ['SendMessage', sendMessage],
    ['SendMessageBatch', sendMessageBatch],
    ['GetQueueUrl', getQueueUrl],
    ['GetQueueAttributes', getQueueAttributes],
  ]);

  const readInput = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
    let text: string;
    try {
      text = (await readBody(request, MAX_REQUEST_BYTES)).toString('utf8');
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw invalidParameter('Request too large');
      throw error;
    }
    try {
      const input: unknown = JSON.parse(text || '{}');
      if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
        return input as Record<string, unknown>;
      }
    } catch {}
    throw new SqsError(
      'com.amazon.coral.service#SerializationException',
      undefined,
      'Request body is not a JSON object',
    );
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('x-amzn-requestid', randomUUID());
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
      throw new SqsError(
        'com.amazon.coral.service#UnknownOperationException',
        undefined,
        'The local SQS only speaks the AWS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.<Operation>)',
      );
    }
    const input = await readInput(request);
    const operation = operations.get(target.slice(TARGET_PREFIX.length));
    if (!operation) {
      throw sqsError(
        'UnsupportedOperation',
        'AWS.SimpleQueueService.UnsupportedOperation',
        `${target} is not supported by the local SQS`,
      );
    }
    sendJson(response, 200, operation(input as never, senderIdOf(request)), {}, JSON_1_0);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return;
      if (error instanceof SqsError) return sendError(response, error);
      log(`sqs: internal error: ${describeError(error)}`);
      sendError(
        response,
        new SqsError('com.amazonaws.sqs#InternalError', 'InternalError', 'Internal error', 500),
      );
    });
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  endpoint = `http://${host}:${port}`;

  return {
    endpoint,
    queueUrl,
    deadLetters,
    get deliveredCount() {
      return deliveredCount;
    },
    waitForIdle: () =>
      isIdle() ? Promise.resolve() : new Promise<void>((resolveIdle) => idleWaiters.push(resolveIdle)),
    stop: async () => {
      stopped = true;
      for (const queue of queues.values()) {
        for (const message of queue.messages.values()) clearTimeout(message.timer);
        queue.messages.clear();
        queue.visible.length = 0;
      }
      notifyIfIdle();
      await closeServer(server);
    },
  };
};
