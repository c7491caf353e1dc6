import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config';

/** One DynamoDB client per container, created at module scope so warm invocations reuse connections. */
export const dynamodb = new DynamoDBClient({ endpoint: config.endpoints.dynamodb, maxAttempts: 4 });

export const documentClient = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
