import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { dynamodb } from '#shared/clients/dynamodb';
import { config } from '#shared/config';
import { IdempotencyKeyReused, RequestInProgress } from '#shared/domain/errors';
import { TABLE } from './table-definition.ts';

/**
 * Idempotency-Key support for creating requests, on Powertools idempotency with records in the
 * main table.
 *
 * | Access pattern                      | Index | Key condition                                   |
 * |-------------------------------------|-------|-------------------------------------------------|
 * | Claim / read / complete a request   | table | pk = IDEMPOTENCY, sk = cirrus#<hash of scope+key> |
 *
 * Powertools keeps all records under one partition value (its composite-key mode): about
 * 1,000 idempotent creates a second, far above what a CRM's users send. Records expire through the
 * table's TTL after IDEMPOTENCY_TTL_SECONDS (24 h by default, as Stripe does).
 */
let persistenceStore: DynamoDBPersistenceLayer | undefined;
const store = () => {
  persistenceStore ??= new DynamoDBPersistenceLayer({
    tableName: config.tableName,
    awsSdkV3Client: dynamodb,
    keyAttr: TABLE.partitionKey,
    sortKeyAttr: TABLE.sortKey,
    staticPkValue: 'IDEMPOTENCY',
    expiryAttr: TABLE.timeToLiveAttribute,
  });
  return persistenceStore;
};

export interface IdempotencyScope {
  /** Who sent it and to which operation: the same key from two users is two requests. */
  userId: string;
  operationId: string;
  key: string;
  /** The request body: the same key with another body is refused (422). */
  payload: unknown;
  lambdaContext?: Context;
}

/**
 * Runs `work` once per scope: a repeat returns the stored result of the first run. A run that
 * throws stores nothing, so the client may retry it.
 */
export const runOnce = async <T extends object>(
  scope: IdempotencyScope,
  work: () => Promise<T>,
): Promise<T> => {
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'scope',
    payloadValidationJmesPath: 'payload',
    expiresAfterSeconds: config.idempotencyTtlSeconds,
  });
  if (scope.lambdaContext) idempotencyConfig.registerLambdaContext(scope.lambdaContext);
  // Stored as JSON (Powertools marshals without removeUndefinedValues), and returned in the same
  // form, so the first response and every replay are identical.
  const once = makeIdempotent(
    async (_request: { scope: string[]; payload: unknown }) => JSON.parse(JSON.stringify(await work())),
    {
      persistenceStore: store(),
      config: idempotencyConfig,
      keyPrefix: 'cirrus',
    },
  );
  try {
    return (await once({ scope: [scope.userId, scope.operationId, scope.key], payload: scope.payload })) as T;
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      throw new IdempotencyKeyReused('This Idempotency-Key was already used with a different request body.');
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new RequestInProgress(
        'A request with this Idempotency-Key is still being processed; retry shortly.',
      );
    }
    throw error;
  }
};
