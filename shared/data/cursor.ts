import { ValidationFailed } from '#shared/domain/errors';

/**
 * Pagination cursors: DynamoDB's LastEvaluatedKey, base64url-encoded. A cursor from a client is
 * checked to be a key of the same index and partition before it goes back to DynamoDB, so a forged
 * cursor is a 400, never a DynamoDB ValidationException (500) nor a peek into another partition.
 */
type Key = Record<string, string>;

export const encodeCursor = (key: Record<string, unknown> | undefined): string | null =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;

export const decodeCursor = (
  cursor: string | undefined,
  expected: {
    attributes: readonly string[];
    partition: { name: string; value: string };
    /** For a begins_with query: a start key outside the prefix would be a DynamoDB ValidationException. */
    sortKeyPrefix?: { name: string; value: string };
  },
): Key | undefined => {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    new ValidationFailed([{ in: 'query', field: 'cursor', detail: 'Not a cursor of this listing' }]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid();
  const entries = Object.entries(key);
  const names = entries.map(([name]) => name).sort();
  const wanted = [...expected.attributes].sort();
  const wellFormed =
    names.length === wanted.length &&
    names.every((name, i) => name === wanted[i]) &&
    entries.every(([, value]) => typeof value === 'string' && value.length > 0 && value.length <= 1024);
  if (!wellFormed || (key as Key)[expected.partition.name] !== expected.partition.value) throw invalid();
  const prefix = expected.sortKeyPrefix;
  if (prefix && !(key as Key)[prefix.name]?.startsWith(prefix.value)) throw invalid();
  return key as Key;
};
