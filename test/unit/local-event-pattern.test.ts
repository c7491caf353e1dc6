import { describe, expect, it } from 'vitest';
import { rules } from '#events/rules';
import { matchesPattern } from '#local/event-pattern';
import { OUTBOX_STREAM_FILTER } from '#shared/data/table-definition';

const event = {
  version: '0',
  id: 'c3a4',
  'detail-type': 'customer.created',
  source: 'cirrus.crm',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    name: 'Ada Lovelace',
    email: 'Ada@Example.com',
    score: 42,
    vip: true,
    deletedAt: null,
    tags: ['gold', 'newsletter'],
    orders: [
      { sku: 'A-1', quantity: 2 },
      { sku: 'B-7', quantity: 5 },
    ],
    address: { city: 'London', zip: 'NW1' },
  },
};

const cases = (pattern: Record<string, unknown>) => matchesPattern(pattern, event);

describe('matchesPattern', () => {
  describe('exact values', () => {
    it('matches strings, numbers, booleans and null', () => {
      expect(cases({ source: ['cirrus.crm'] })).toBe(true);
      expect(cases({ detail: { score: [42] } })).toBe(true);
      expect(cases({ detail: { vip: [true] } })).toBe(true);
      expect(cases({ detail: { deletedAt: [null] } })).toBe(true);
    });

    it('treats a list as OR and every key as AND', () => {
      expect(cases({ source: ['other', 'cirrus.crm'], 'detail-type': ['customer.created'] })).toBe(true);
      expect(cases({ source: ['cirrus.crm'], 'detail-type': ['customer.deleted'] })).toBe(false);
    });

    it('does not match other values or other types', () => {
      expect(cases({ source: ['cirrus'] })).toBe(false);
      expect(cases({ detail: { score: ['42'] } })).toBe(false);
      expect(cases({ detail: { vip: ['true'] } })).toBe(false);
      expect(cases({ detail: { vip: [false] } })).toBe(false);
      expect(cases({ detail: { name: [null] } })).toBe(false);
    });

    it('does not match a missing field, even against null', () => {
      expect(cases({ detail: { missing: [null] } })).toBe(false);
      expect(cases({ nothing: ['x'] })).toBe(false);
    });

    it('is case-sensitive', () => {
      expect(cases({ detail: { email: ['ada@example.com'] } })).toBe(false);
    });
  });

  describe('nested objects', () => {
    it('matches nested fields', () => {
      expect(cases({ detail: { address: { city: ['London'] } } })).toBe(true);
      expect(cases({ detail: { address: { city: ['Paris'] } } })).toBe(false);
    });

    it('does not match when the event has a scalar where the pattern expects an object', () => {
      expect(cases({ detail: { name: { first: ['Ada'] } } })).toBe(false);
    });

    it('does not match a leaf matcher against an object', () => {
      expect(cases({ detail: { address: ['London'] } })).toBe(false);
    });
  });

  describe('arrays in the event', () => {
    it('matches when any element matches', () => {
      expect(cases({ detail: { tags: ['newsletter'] } })).toBe(true);
      expect(cases({ detail: { tags: ['silver'] } })).toBe(false);
    });

    it('flattens arrays of objects', () => {
      expect(cases({ detail: { orders: { sku: ['B-7'] } } })).toBe(true);
      expect(cases({ detail: { orders: { sku: ['C-9'] } } })).toBe(false);
    });
  });

  describe('prefix and suffix', () => {
    it('matches a prefix', () => {
      expect(cases({ 'detail-type': [{ prefix: 'customer.' }] })).toBe(true);
      expect(cases({ 'detail-type': [{ prefix: 'deal.' }] })).toBe(false);
    });

    it('matches a suffix', () => {
      expect(cases({ 'detail-type': [{ suffix: '.created' }] })).toBe(true);
      expect(cases({ 'detail-type': [{ suffix: '.deleted' }] })).toBe(false);
    });

    it('supports equals-ignore-case inside prefix and suffix', () => {
      expect(cases({ detail: { email: [{ prefix: { 'equals-ignore-case': 'ADA@' } }] } })).toBe(true);
      expect(cases({ detail: { email: [{ suffix: { 'equals-ignore-case': 'EXAMPLE.COM' } }] } })).toBe(true);
      expect(cases({ detail: { email: [{ suffix: { 'equals-ignore-case': 'example.org' } }] } })).toBe(false);
    });

    it('never matches numbers or missing fields', () => {
      expect(cases({ detail: { score: [{ prefix: '4' }] } })).toBe(false);
      expect(cases({ detail: { missing: [{ prefix: '' }] } })).toBe(false);
    });
  });

  describe('anything-but', () => {
    it('excludes a single value', () => {
      expect(cases({ source: [{ 'anything-but': 'aws.events' }] })).toBe(true);
      expect(cases({ source: [{ 'anything-but': 'cirrus.crm' }] })).toBe(false);
    });

    it('excludes a list of values (numbers too)', () => {
      expect(cases({ detail: { score: [{ 'anything-but': [1, 2, 3] }] } })).toBe(true);
      expect(cases({ detail: { score: [{ 'anything-but': [41, 42] }] } })).toBe(false);
    });

    it('excludes a prefix', () => {
      expect(cases({ 'detail-type': [{ 'anything-but': { prefix: 'deal.' } }] })).toBe(true);
      expect(cases({ 'detail-type': [{ 'anything-but': { prefix: 'customer.' } }] })).toBe(false);
    });

    it('excludes a suffix and equals-ignore-case', () => {
      expect(cases({ 'detail-type': [{ 'anything-but': { suffix: '.created' } }] })).toBe(false);
      expect(
        cases({ detail: { email: [{ 'anything-but': { 'equals-ignore-case': 'ADA@EXAMPLE.COM' } }] } }),
      ).toBe(false);
    });

    it('does not match a missing field', () => {
      expect(cases({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
    });

    it('matches an array when some element is not excluded', () => {
      expect(cases({ detail: { tags: [{ 'anything-but': 'gold' }] } })).toBe(true);
      expect(cases({ detail: { tags: [{ 'anything-but': ['gold', 'newsletter'] }] } })).toBe(false);
    });
  });

  describe('exists', () => {
    it('exists: true needs the field (null counts as present)', () => {
      expect(cases({ detail: { name: [{ exists: true }] } })).toBe(true);
      expect(cases({ detail: { deletedAt: [{ exists: true }] } })).toBe(true);
      expect(cases({ detail: { missing: [{ exists: true }] } })).toBe(false);
    });

    it('exists: false needs the field to be absent', () => {
      expect(cases({ detail: { missing: [{ exists: false }] } })).toBe(true);
      expect(cases({ detail: { name: [{ exists: false }] } })).toBe(false);
    });

    it('exists: true does not match an intermediate (object) node', () => {
      expect(cases({ detail: { address: [{ exists: true }] } })).toBe(false);
    });
  });

  describe('numeric', () => {
    it('matches ranges', () => {
      expect(cases({ detail: { score: [{ numeric: ['>', 0, '<=', 42] }] } })).toBe(true);
      expect(cases({ detail: { score: [{ numeric: ['>=', 42] }] } })).toBe(true);
      expect(cases({ detail: { score: [{ numeric: ['=', 42] }] } })).toBe(true);
      expect(cases({ detail: { orders: { quantity: [{ numeric: ['>', 4] }] } } })).toBe(true);
    });

    it('does not match outside the range, strings or missing fields', () => {
      expect(cases({ detail: { score: [{ numeric: ['<', 42] }] } })).toBe(false);
      expect(cases({ detail: { score: [{ numeric: ['>', 0, '<', 10] }] } })).toBe(false);
      expect(cases({ detail: { name: [{ numeric: ['>', 0] }] } })).toBe(false);
      expect(cases({ detail: { missing: [{ numeric: ['>', 0] }] } })).toBe(false);
    });

    it('rejects a malformed range', () => {
      expect(() => cases({ detail: { score: [{ numeric: ['>'] }] } })).toThrow(/numeric/);
      expect(() => cases({ detail: { score: [{ numeric: ['~', 1] }] } })).toThrow(/numeric/);
    });
  });

  describe('equals-ignore-case and wildcard', () => {
    it('matches regardless of case', () => {
      expect(cases({ detail: { email: [{ 'equals-ignore-case': 'ada@example.COM' }] } })).toBe(true);
      expect(cases({ detail: { email: [{ 'equals-ignore-case': 'bob@example.com' }] } })).toBe(false);
    });

    it('matches wildcards', () => {
      expect(cases({ 'detail-type': [{ wildcard: 'customer.*' }] })).toBe(true);
      expect(cases({ 'detail-type': [{ wildcard: '*.deleted' }] })).toBe(false);
    });
  });

  describe('$or', () => {
    it('matches when any alternative matches', () => {
      expect(
        cases({ source: ['cirrus.crm'], $or: [{ detail: { score: [1] } }, { detail: { vip: [true] } }] }),
      ).toBe(true);
    });

    it('does not match when no alternative matches, or when the other keys fail', () => {
      expect(cases({ $or: [{ detail: { score: [1] } }, { detail: { vip: [false] } }] })).toBe(false);
      expect(
        cases({ source: ['other'], $or: [{ detail: { score: [42] } }, { detail: { vip: [true] } }] }),
      ).toBe(false);
    });
  });

  it('throws on an operator it does not support, instead of silently never matching', () => {
    expect(() => cases({ source: [{ cidr: '10.0.0.0/24' }] })).toThrow(/Unsupported event pattern operator/);
  });

  it('evaluates the rules in events/rules.ts', () => {
    const welcome = rules.find((rule) => rule.target === 'welcomeEmail');
    expect(welcome).toBeDefined();
    const created = (status: string) => ({
      ...event,
      detail: { data: { customer: { consent: { email: { status } } } } },
    });
    expect(matchesPattern(welcome?.pattern ?? {}, created('granted'))).toBe(true);
    expect(matchesPattern(welcome?.pattern ?? {}, created('denied'))).toBe(false);
  });

  it('evaluates OUTBOX_STREAM_FILTER against stream records', () => {
    const record = (eventName: string, type: string) => ({
      eventName,
      dynamodb: { NewImage: { type: { S: type }, pk: { S: 'OUTBOX#1' } } },
    });
    expect(matchesPattern(OUTBOX_STREAM_FILTER, record('INSERT', 'outbox'))).toBe(true);
    expect(matchesPattern(OUTBOX_STREAM_FILTER, record('MODIFY', 'outbox'))).toBe(false);
    expect(matchesPattern(OUTBOX_STREAM_FILTER, record('INSERT', 'customer'))).toBe(false);
    expect(matchesPattern(OUTBOX_STREAM_FILTER, { eventName: 'REMOVE', dynamodb: { OldImage: {} } })).toBe(
      false,
    );
  });
});
