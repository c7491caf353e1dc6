import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';

/**
 * How far a scheduled job got, so the next run starts there (a missed day is caught up, a repeated
 * run does no harm).
 *
 * | Access pattern             | Index | Key condition                    |
 * |----------------------------|-------|----------------------------------|
 * | Read / save a job's state  | table | pk = JOB#<name>, sk = STATE      |
 */
const key = (job: string) => ({ pk: `JOB#${job}`, sk: 'STATE' });

export const readJobState = async <T extends Record<string, unknown>>(
  job: string,
): Promise<T | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: config.tableName, Key: key(job), ConsistentRead: true }),
  );
  return Item?.state as T | undefined;
};

export const saveJobState = async (
  job: string,
  state: Record<string, unknown>,
  now: string,
): Promise<void> => {
  await documentClient.send(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...key(job), type: 'job-state', state, savedAt: now },
    }),
  );
};
