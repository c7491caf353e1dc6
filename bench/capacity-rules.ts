import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB's published capacity rules, as pure functions of item sizes. DynamoDB Local reports
 * ConsumedCapacity, but not the way AWS bills transactions (see dynamodb-meter.ts), so the bench
 * computes the expected units itself from the items each call touched.
 *
 * Sizes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */

export type Item = Record<string, AttributeValue>;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** "1 byte per two significant digits, plus 1 byte"; leading and trailing zeros do not count. */
const numberSize = (value: string): number => {
  const digits = value
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
};

const binarySize = (value: Uint8Array | string): number =>
  typeof value === 'string' ? Buffer.from(value, 'base64').length : value.length;

/** Size of one attribute value; lists and maps cost 3 bytes plus 1 byte per element. */
export const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return binarySize(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + binarySize(b), 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + valueSize(element) + 1, 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  throw new Error(`Unknown attribute value ${JSON.stringify(value)}`);
};

/** An item's size: each attribute's name (UTF-8 bytes) plus its value. */
export const itemSize = (item: Item): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);

/** Every index entry costs 100 bytes on top of its projected attributes (projection ALL here). */
export const INDEX_ENTRY_OVERHEAD = 100;

/** Write units for writing `bytes` once: 1 per KB started, at least 1. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/** Read units for reading `bytes` in one request: 1 per 4 KB started (at least 1), half if eventually consistent. */
export const readUnits = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** A global index by the names of its key attributes. */
export interface IndexKeys {
  partitionKey: string;
  sortKey: string;
}

const sameValue = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);

const inIndex = (item: Item | undefined, index: IndexKeys): item is Item =>
  item?.[index.partitionKey] !== undefined && item[index.sortKey] !== undefined;

/**
 * Write units one global index (projection ALL) consumes when an item goes from `before` to
 * `after` (undefined = absent): a new entry is a put, a vanished one a delete, a moved key both,
 * a changed entry under the same key one write, an unchanged entry nothing.
 */
export const indexWriteUnits = (
  index: IndexKeys,
  before: Item | undefined,
  after: Item | undefined,
): number => {
  const entry = (item: Item) => writeUnits(itemSize(item) + INDEX_ENTRY_OVERHEAD);
  const wasIn = inIndex(before, index);
  const isIn = inIndex(after, index);
  if (wasIn && isIn) {
    const keyMoved =
      !sameValue(before[index.partitionKey], after[index.partitionKey]) ||
      !sameValue(before[index.sortKey], after[index.sortKey]);
    if (keyMoved) return entry(before) + entry(after);
    return JSON.stringify(before) === JSON.stringify(after) ? 0 : entry(after);
  }
  if (isIn) return entry(after);
  if (wasIn) return entry(before);
  return 0;
};

/**
 * Write units of one item write on the table: the larger of the old and new item (a delete costs
 * the deleted item, a write of a missing item at least 1), doubled inside a transaction.
 * The index writes that follow are not doubled: they are the same asynchronous propagation either way.
 */
export const tableWriteUnits = (before: Item | undefined, after: Item | undefined, transactional: boolean) =>
  writeUnits(Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0)) * (transactional ? 2 : 1);
