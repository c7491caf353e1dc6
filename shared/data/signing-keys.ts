import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/clients/dynamodb';
import { config } from '#shared/config';

/**
 * The workspace's signing keys (today one: the unsubscribe-link key). Created on first use with a
 * condition, so concurrent first uses agree on one key; cached per container afterwards.
 *
 * | Access pattern                    | Index | Key condition                                 |
 * |-----------------------------------|-------|-----------------------------------------------|
 * | Read the unsubscribe signing key  | table | pk = WORKSPACE, sk = SIGNING_KEY#unsubscribe  |
 * | Create it once                    | table | same key, attribute_not_exists(pk)            |
 */
export type SigningKeyName = 'unsubscribe';

const keyOf = (name: SigningKeyName) => ({ pk: 'WORKSPACE', sk: `SIGNING_KEY#${name}` });

const cache = new Map<string, Promise<Buffer>>();

const read = async (name: SigningKeyName): Promise<Buffer | undefined> => {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: config.tableName, Key: keyOf(name), ConsistentRead: true }),
  );
  return typeof Item?.secret === 'string' ? Buffer.from(Item.secret, 'base64') : undefined;
};

const readOrCreate = async (name: SigningKeyName): Promise<Buffer> => {
  const existing = await read(name);
  if (existing) return existing;
  const secret = randomBytes(32);
  try {
    await documentClient.send(
      new PutCommand({
        TableName: config.tableName,
        Item: {
          ...keyOf(name),
          type: 'signing-key',
          secret: secret.toString('base64'),
          createdAt: new Date().toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return secret;
  } catch (error) {
    // Another container created it first: use theirs.
    if ((error as Error)?.name !== 'ConditionalCheckFailedException') throw error;
    const winner = await read(name);
    if (!winner) throw error;
    return winner;
  }
};

/** The key, read (or created) once per container per table; a failed read is not cached. */
export const signingKey = (name: SigningKeyName): Promise<Buffer> => {
  const cacheKey = `${config.tableName}#${name}`;
  let key = cache.get(cacheKey);
  if (!key) {
    key = readOrCreate(name);
    cache.set(cacheKey, key);
    key.catch(() => cache.delete(cacheKey));
  }
  return key;
};

/** Tests only: forget cached keys. */
export const forgetSigningKeys = () => cache.clear();
