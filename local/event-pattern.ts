/**
 * EventBridge event-pattern matching, for the local bus (rules from events/rules.ts) and the local
 * stream poller (OUTBOX_STREAM_FILTER: Lambda event filters use the same syntax).
 *
 * Supported: nested objects, exact values (string, number, boolean, null), arrays in the event
 * (any element may match), `prefix`, `suffix` (both also with `equals-ignore-case`),
 * `anything-but` (value, list, `prefix`, `suffix`, `equals-ignore-case`, `wildcard`), `exists`,
 * `numeric`, `equals-ignore-case`, `wildcard` and `$or`. An unknown operator throws, so a rule
 * the local bus cannot evaluate fails loudly instead of silently never matching.
 *
 * Like EventBridge, arrays of objects are flattened: `{ items: { sku: ['a'] } }` matches
 * `{ items: [{ sku: 'b' }, { sku: 'a' }] }`.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Leaf = string | number | boolean | null;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Arrays in the event stand for "any of these": flatten them (nested arrays too). */
const flatten = (values: readonly unknown[]): unknown[] =>
  values.flatMap((value) => (Array.isArray(value) ? flatten(value) : [value]));

const isLeaf = (value: unknown): value is Leaf => value === null || typeof value !== 'object';

const NUMERIC_OPERATORS: Record<string, (value: number, bound: number) => boolean> = {
  '=': (value, bound) => value === bound,
  '<': (value, bound) => value < bound,
  '<=': (value, bound) => value <= bound,
  '>': (value, bound) => value > bound,
  '>=': (value, bound) => value >= bound,
};

const matchesNumeric = (conditions: unknown, value: Leaf): boolean => {
  if (!Array.isArray(conditions) || conditions.length % 2 !== 0 || conditions.length === 0) {
    throw new Error(`Invalid numeric matcher: ${JSON.stringify(conditions)}`);
  }
  if (typeof value !== 'number') return false;
  for (let index = 0; index < conditions.length; index += 2) {
    const compare = NUMERIC_OPERATORS[String(conditions[index])];
    const bound = conditions[index + 1];
    if (!compare || typeof bound !== 'number') {
      throw new Error(`Invalid numeric matcher: ${JSON.stringify(conditions)}`);
    }
    if (!compare(value, bound)) return false;
  }
  return true;
};

const wildcardRegExp = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );

/** `prefix` / `suffix` take a string or `{ 'equals-ignore-case': string }`. */
const matchesAffix = (kind: 'prefix' | 'suffix', operand: unknown, value: Leaf): boolean => {
  if (typeof value !== 'string') return false;
  let expected = operand;
  let subject: string = value;
  if (isPlainObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    expected = operand['equals-ignore-case'].toLowerCase();
    subject = value.toLowerCase();
  }
  if (typeof expected !== 'string') throw new Error(`Invalid ${kind} matcher: ${JSON.stringify(operand)}`);
  return kind === 'prefix' ? subject.startsWith(expected) : subject.endsWith(expected);
};

/** `anything-but` takes a value, a list of values, or one operator object (prefix, suffix, …). */
const matchesAnythingBut = (operand: unknown, value: Leaf): boolean =>
  !(Array.isArray(operand) ? operand : [operand]).some((excluded) => matchesMatcher(excluded, value));

/** One element of a leaf array: a literal value or an operator object. `undefined` = field absent. */
const matchesMatcher = (matcher: unknown, value: Leaf | undefined): boolean => {
  if (isPlainObject(matcher)) {
    const entries = Object.entries(matcher);
    if (entries.length !== 1)
      throw new Error(`A matcher has exactly one operator: ${JSON.stringify(matcher)}`);
    const [operator, operand] = entries[0] as [string, unknown];
    if (operator === 'exists') {
      if (typeof operand !== 'boolean') throw new Error(`Invalid exists matcher: ${JSON.stringify(matcher)}`);
      return operand === (value !== undefined);
    }
    if (value === undefined) return false;
    switch (operator) {
      case 'prefix':
      case 'suffix':
        return matchesAffix(operator, operand, value);
      case 'anything-but':
        return matchesAnythingBut(operand, value);
      case 'numeric':
        return matchesNumeric(operand, value);
      case 'equals-ignore-case':
        if (typeof operand !== 'string')
          throw new Error(`Invalid equals-ignore-case: ${JSON.stringify(matcher)}`);
        return typeof value === 'string' && value.toLowerCase() === operand.toLowerCase();
      case 'wildcard':
        if (typeof operand !== 'string') throw new Error(`Invalid wildcard: ${JSON.stringify(matcher)}`);
        return typeof value === 'string' && wildcardRegExp(operand).test(value);
      default:
        throw new Error(`Unsupported event pattern operator "${operator}" (see local/event-pattern.ts)`);
    }
  }
  if (!isLeaf(matcher)) throw new Error(`Invalid matcher: ${JSON.stringify(matcher)}`);
  return value !== undefined && value === matcher;
};

const matchesLeaf = (matchers: readonly unknown[], values: readonly unknown[]): boolean => {
  const leaves = values.filter(isLeaf);
  if (leaves.length === 0) return matchers.some((matcher) => matchesMatcher(matcher, undefined));
  return matchers.some((matcher) => leaves.some((value) => matchesMatcher(matcher, value)));
};

/** Matches a pattern object against every object found at this level (several after flattening). */
const matchesObject = (
  pattern: Record<string, unknown>,
  nodes: readonly Record<string, unknown>[],
): boolean =>
  Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') {
      if (!Array.isArray(expected) || expected.length < 2)
        throw new Error('$or needs an array of 2+ patterns');
      return expected.some((alternative) => isPlainObject(alternative) && matchesObject(alternative, nodes));
    }
    const values = flatten(nodes.map((node) => node[key]).filter((value) => value !== undefined));
    if (Array.isArray(expected)) return matchesLeaf(expected, values);
    if (isPlainObject(expected)) {
      const children = values.filter(isPlainObject);
      return children.length > 0 && matchesObject(expected, children);
    }
    throw new Error(`Pattern values are arrays or objects, got ${JSON.stringify(expected)} at "${key}"`);
  });

/**
 * True when `event` matches the EventBridge event `pattern`.
 * @example matchesPattern({ 'detail-type': ['customer.created'] }, event)
 */
export const matchesPattern = (pattern: Readonly<Record<string, unknown>>, event: unknown): boolean =>
  isPlainObject(event) && matchesObject(pattern as Record<string, unknown>, [event as Record<string, Json>]);
