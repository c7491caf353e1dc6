import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { localClientConfig } from '#local/aws-local';
import { ensureTable } from '#local/table';

/**
 * The run's shared DynamoDB Local endpoint. Throws the global setup's reason (e.g. "DynamoDB Local
 * needs Java 17+: …") when it could not start, so only the tests that need it fail.
 */
export const dynamodbEndpoint = (): string => {
  const endpoint = inject('dynamodbEndpoint');
  if (!endpoint) throw new Error(inject('dynamodbError') || 'DynamoDB Local is not running');
  return endpoint;
};

/** The run's shared SES emulator endpoint. */
export const sesEndpoint = (): string => inject('sesEndpoint');

/** The table name of this test file (unique per file, set by setup-env). */
export const testTableName = (): string => {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set: is test/support/setup-env.ts in setupFiles?');
  return name;
};

/**
 * Creates this test file's table (exactly as TABLE defines it) in the shared DynamoDB Local and
 * returns its name. Idempotent, so several describe blocks may call it.
 */
export const createTestTable = async (tableName = testTableName()): Promise<string> => {
  await ensureTable(dynamodbEndpoint(), tableName);
  return tableName;
};

/** A document client on the shared DynamoDB Local, for arranging and inspecting data. */
export const testDocumentClient = (): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(dynamodbEndpoint())), {
    marshallOptions: { removeUndefinedValues: true },
  });
