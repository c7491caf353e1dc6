import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AudienceView, audienceView, mayBeMarketable, shardOf } from '#shared/domain/audience';
import { Unprocessable } from '#shared/domain/errors';
import {
  applySegmentPatch,
  assertMayManageSegments,
  assertRuleFitsDefinitions,
  matchesRule,
  newSegment,
  ruleTestsCompanies,
  valueTier,
} from '#shared/domain/segment';
import type { Customer } from '#shared/schemas/customer';
import { CreateSegmentRequest, type RuleCondition, ruleSize, SegmentRule } from '#shared/schemas/segment';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;

const view = (overrides: Partial<AudienceView> = {}): AudienceView => ({
  id: '01JDQ3Z7YB8V5X1G6N2K4M9P0R',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  lifecycleStage: 'customer',
  tags: ['vip', 'newsletter'],
  emailConsent: 'granted',
  purchases: {
    orderCount: 3,
    lastPurchaseAt: new Date(NOW - 10 * DAY).toISOString(),
    spent: [{ currency: 'EUR', totalSpent: 15_000 }],
  },
  companyId: '01JDQ3Z7YB8V5X1G6N2K4M9C0M',
  gender: 'female',
  birthday: '1990-12-10',
  preferredLanguage: 'en-GB',
  country: 'GB',
  valueScore: 75,
  riskLevel: 'low',
  customFields: { plan: 'pro', seats: 12, renewal: '2026-09-01' },
  ...overrides,
});

const context = {
  now: NOW,
  companies: new Map([['01JDQ3Z7YB8V5X1G6N2K4M9C0M', { industry: 'software', size: '11-50' }]]),
};
const matches = (rule: unknown, v = view()) => matchesRule(SegmentRule.parse(rule), v, context);

describe('segment conditions', () => {
  it.each([
    [{ field: 'gender', in: ['female'] }, true],
    [{ field: 'gender', in: ['male'] }, false],
    [{ field: 'birthdayMonth', in: [12] }, true],
    [{ field: 'birthdayMonth', in: [1, 2] }, false],
    [{ field: 'preferredLanguage', in: ['en'] }, true],
    [{ field: 'preferredLanguage', in: ['en-US'] }, false],
    [{ field: 'country', in: ['GB', 'IE'] }, true],
    [{ field: 'emailDomain', in: ['example.com'] }, true],
    [{ field: 'emailDomain', in: ['example.org'] }, false],
    [{ field: 'tags', has: 'any', values: ['vip', 'other'] }, true],
    [{ field: 'tags', has: 'all', values: ['vip', 'other'] }, false],
    [{ field: 'tags', has: 'all', values: ['vip', 'newsletter'] }, true],
    [{ field: 'tags', has: 'none', values: ['no-promo'] }, true],
    [{ field: 'tags', has: 'none', values: ['vip'] }, false],
    [{ field: 'lifecycleStage', in: ['customer', 'loyal'] }, true],
    [{ field: 'companyIndustry', in: ['software'] }, true],
    [{ field: 'companySize', in: ['1-10'] }, false],
    [{ field: 'emailConsent', in: ['granted'] }, true],
    [{ field: 'totalSpent', currency: 'EUR', op: 'gte', value: 15_000 }, true],
    [{ field: 'totalSpent', currency: 'EUR', op: 'gt', value: 15_000 }, false],
    [{ field: 'totalSpent', currency: 'USD', op: 'eq', value: 0 }, true],
    [{ field: 'orderCount', op: 'gte', value: 3 }, true],
    [{ field: 'orderCount', op: 'lt', value: 3 }, false],
    [{ field: 'lastPurchase', withinDays: 30 }, true],
    [{ field: 'lastPurchase', withinDays: 7 }, false],
    [{ field: 'lastPurchase', notWithinDays: 7 }, true],
    [{ field: 'lastPurchase', notWithinDays: 30 }, false],
    [{ field: 'lastPurchase', after: '2026-06-01', before: '2026-06-10' }, true],
    [{ field: 'lastPurchase', before: '2026-06-05' }, false],
    [{ field: 'valueTier', in: ['high'] }, true],
    [{ field: 'riskLevel', in: ['medium', 'high'] }, false],
    [{ field: 'customField', key: 'plan', op: 'eq', value: 'pro' }, true],
    [{ field: 'customField', key: 'plan', op: 'in', values: ['basic', 'pro'] }, true],
    [{ field: 'customField', key: 'seats', op: 'gt', value: 10 }, true],
    [{ field: 'customField', key: 'seats', op: 'gt', value: '10' }, false],
    [{ field: 'customField', key: 'renewal', op: 'lt', value: '2026-10-01' }, true],
    [{ field: 'customField', key: 'missing', op: 'notExists' }, true],
    [{ field: 'customField', key: 'missing', op: 'ne', value: 'x' }, true],
    [{ field: 'customField', key: 'missing', op: 'eq', value: 'x' }, false],
  ])('%j → %s', (rule, expected) => {
    expect(matches(rule)).toBe(expected);
  });

  it('treats people who never bought as 0 orders, 0 spent, and matching only notWithinDays', () => {
    const never = view({ purchases: undefined });
    expect(matches({ field: 'orderCount', op: 'eq', value: 0 }, never)).toBe(true);
    expect(matches({ field: 'totalSpent', currency: 'EUR', op: 'lt', value: 1 }, never)).toBe(true);
    expect(matches({ field: 'lastPurchase', notWithinDays: 30 }, never)).toBe(true);
    expect(matches({ field: 'lastPurchase', withinDays: 3650 }, never)).toBe(false);
    expect(matches({ field: 'lastPurchase', before: '2100-01-01' }, never)).toBe(false);
  });

  it('does not match company conditions for people without a (known) company', () => {
    expect(matches({ field: 'companyIndustry', in: ['software'] }, view({ companyId: undefined }))).toBe(
      false,
    );
    expect(matchesRule({ field: 'companyIndustry', in: ['software'] }, view(), { now: NOW })).toBe(false);
    expect(ruleTestsCompanies({ not: { field: 'companySize', in: ['1-10'] } })).toBe(true);
    expect(ruleTestsCompanies({ field: 'gender', in: ['male'] })).toBe(false);
  });

  it('derives value tiers from the value score', () => {
    expect([undefined, 0, 39, 40, 69, 70, 100].map(valueTier)).toEqual([
      undefined,
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
    ]);
  });
});

describe('segment rule schema', () => {
  it('bounds depth and number of conditions', () => {
    let deep: unknown = { field: 'gender', in: ['male'] };
    for (let i = 0; i < 4; i++) deep = { not: deep };
    expect(SegmentRule.safeParse(deep).success).toBe(true);
    expect(SegmentRule.safeParse({ not: deep }).success).toBe(false);
    const condition = { field: 'orderCount', op: 'gt', value: 1 };
    const wide = {
      or: Array.from({ length: 3 }, () => ({ and: Array.from({ length: 17 }, () => condition) })),
    };
    expect(ruleSize(SegmentRule.parse({ or: [condition] })).conditions).toBe(1);
    const result = SegmentRule.safeParse(wide);
    expect(result.error?.issues[0]?.message).toMatch(/More than 50 conditions/);
  });

  it('names the bad field of a nested condition', () => {
    const result = CreateSegmentRequest.safeParse({
      name: 'x',
      rule: { and: [{ field: 'tags', has: 'some', values: ['vip'] }] },
    });
    expect(result.error?.issues[0]?.path.join('.')).toMatch(/^rule/);
    const nested = CreateSegmentRequest.safeParse({
      name: 'x',
      rule: { and: [{ not: { field: 'lastPurchase' } }] },
    });
    expect(nested.error?.issues[0]?.path.join('.')).toBe('rule.and.0.not');
    expect(CreateSegmentRequest.safeParse({ name: 'x', rule: { field: 'nope' } }).success).toBe(false);
    expect(
      CreateSegmentRequest.safeParse({ name: 'x', rule: { field: 'customField', key: 'a', op: 'eq' } })
        .success,
    ).toBe(false);
    expect(CreateSegmentRequest.safeParse({ name: 'x', rule: { and: [] } }).success).toBe(false);
  });

  it('checks custom-field conditions against the definitions (422 naming the condition)', () => {
    const definitions = [
      { key: 'plan', label: 'Plan', type: 'enum' as const, options: ['basic', 'pro'] },
      { key: 'seats', label: 'Seats', type: 'number' as const },
    ];
    const rule = SegmentRule.parse({
      or: [
        { field: 'customField', key: 'plan', op: 'gt', value: 'basic' },
        { field: 'customField', key: 'seats', op: 'eq', value: 'ten' },
        { field: 'customField', key: 'ghost', op: 'exists' },
        { field: 'customField', key: 'plan', op: 'in', values: ['pro', 'gold'] },
      ],
    });
    try {
      assertRuleFitsDefinitions(rule, definitions);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Unprocessable);
      expect((error as Unprocessable).issues.map((i) => i.field)).toEqual([
        'rule.or.0.op',
        'rule.or.1.value',
        'rule.or.2.key',
        'rule.or.3.values.1',
      ]);
    }
    expect(() =>
      assertRuleFitsDefinitions(
        SegmentRule.parse({ field: 'customField', key: 'seats', op: 'gte', value: 5 }),
        definitions,
      ),
    ).not.toThrow();
  });
});

/** Arbitrary rules (bounded) and views, for the algebraic laws of the evaluator. */
const conditionArb: fc.Arbitrary<RuleCondition> = fc.oneof(
  fc.record({
    field: fc.constant('tags' as const),
    has: fc.constantFrom('any', 'all', 'none'),
    values: fc.subarray(['vip', 'a', 'b'], { minLength: 1 }),
  }),
  fc.record({
    field: fc.constant('orderCount' as const),
    op: fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte'),
    value: fc.integer({ min: 0, max: 5 }),
  }),
  fc.record({
    field: fc.constant('lifecycleStage' as const),
    in: fc.subarray(['lead', 'customer', 'loyal'] as const, { minLength: 1 }),
  }),
  fc.record({ field: fc.constant('lastPurchase' as const), withinDays: fc.integer({ min: 1, max: 60 }) }),
  fc
    .record({
      field: fc.constant('customField' as const),
      key: fc.constant('seats'),
      op: fc.constantFrom('gt', 'lt', 'exists', 'notExists'),
    })
    .map((c) => (c.op === 'gt' || c.op === 'lt' ? { ...c, value: 10 } : c) as RuleCondition),
) as fc.Arbitrary<RuleCondition>;
const { rule: ruleArb } = fc.letrec<{ rule: unknown }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    conditionArb,
    fc.record({ and: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('rule') }),
  ),
}));
const viewArb = fc
  .record({
    tags: fc.subarray(['vip', 'a', 'b']),
    orderCount: fc.integer({ min: 0, max: 5 }),
    daysAgo: fc.option(fc.integer({ min: 0, max: 90 }), { nil: undefined }),
    stage: fc.constantFrom('lead', 'customer', 'loyal', 'churned' as const),
    seats: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  })
  .map(({ tags, orderCount, daysAgo, stage, seats }) =>
    view({
      tags,
      lifecycleStage: stage as AudienceView['lifecycleStage'],
      purchases:
        daysAgo === undefined
          ? undefined
          : { orderCount, lastPurchaseAt: new Date(NOW - daysAgo * DAY).toISOString(), spent: [] },
      customFields: seats === undefined ? {} : { seats },
    }),
  );

const evaluate = (rule: unknown, v: AudienceView) => matchesRule(rule as never, v, context);

describe('rule algebra (property)', () => {
  it('not(not(r)) ≡ r', () => {
    fc.assert(fc.property(ruleArb, viewArb, (r, v) => evaluate({ not: { not: r } }, v) === evaluate(r, v)));
  });

  it('De Morgan: not(and(a, b)) ≡ or(not a, not b) and not(or(a, b)) ≡ and(not a, not b)', () => {
    fc.assert(
      fc.property(ruleArb, ruleArb, viewArb, (a, b, v) => {
        const notAnd =
          evaluate({ not: { and: [a, b] } }, v) === evaluate({ or: [{ not: a }, { not: b }] }, v);
        const notOr = evaluate({ not: { or: [a, b] } }, v) === evaluate({ and: [{ not: a }, { not: b }] }, v);
        return notAnd && notOr;
      }),
    );
  });

  it('and/or of one rule is the rule; every generated rule is accepted by the schema', () => {
    fc.assert(
      fc.property(ruleArb, viewArb, (r, v) => {
        expect(SegmentRule.safeParse(r).success).toBe(ruleSize(r as never).depth <= 5);
        return evaluate({ and: [r] }, v) === evaluate(r, v) && evaluate({ or: [r] }, v) === evaluate(r, v);
      }),
    );
  });
});

describe('audience view and marketability', () => {
  const customer = {
    id: '01JDQ3Z7YB8V5X1G6N2K4M9P0R',
    name: 'Ada',
    emails: [{ address: 'ada@example.com', label: 'work' }],
    phones: [],
    tags: [],
    lifecycleStage: 'lead',
    consent: { email: { status: 'granted' } },
    customFields: {},
    addresses: [{ label: 'home', line1: '1 A St', city: 'Paris', country: 'FR' }],
    scores: { valueScore: 50 },
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'u',
  } as Customer;

  it('needs an address and granted e-mail consent', () => {
    expect(mayBeMarketable(customer)).toBe(true);
    expect(mayBeMarketable({ ...customer, emails: [] })).toBe(false);
    expect(mayBeMarketable({ ...customer, consent: { email: { status: 'denied' } } })).toBe(false);
    expect(mayBeMarketable(undefined)).toBe(false);
  });

  it('keeps the compact fields rules need', () => {
    expect(audienceView(customer)).toEqual({
      id: customer.id,
      name: 'Ada',
      email: 'ada@example.com',
      lifecycleStage: 'lead',
      tags: [],
      emailConsent: 'granted',
      country: 'FR',
      valueScore: 50,
      customFields: {},
    });
  });

  it('spreads ids over the shards, stably', () => {
    const ids = Array.from({ length: 1600 }, (_, i) => `01JDQ3Z7YB8V5X1G6N2K4M${String(i).padStart(4, '0')}`);
    const counts = new Array(16).fill(0);
    for (const id of ids) counts[shardOf(id)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(shardOf(ids[0] as string)).toBe(shardOf(ids[0] as string));
  });
});

describe('segment records', () => {
  const actor = { userId: 'mk', roles: ['marketing'] as const, correlationId: 'c' };
  it('lets admins, managers and marketing manage; not sales or support', () => {
    expect(() => assertMayManageSegments(actor)).not.toThrow();
    expect(() => assertMayManageSegments({ ...actor, roles: ['sales'] })).toThrow(/Only admins/);
    expect(() => assertMayManageSegments({ ...actor, roles: ['support'] })).toThrow(/Only admins/);
  });

  it('applies a merge patch, versioning only real changes', () => {
    const segment = newSegment(
      { name: 'A', description: 'd', rule: { field: 'gender', in: ['male'] } },
      actor,
      { id: 'S', now: 't0' },
    );
    expect(applySegmentPatch(segment, { name: 'A' }, actor, 't1')).toEqual({ next: segment, changed: [] });
    const { next, changed } = applySegmentPatch(segment, { description: null, name: 'B' }, actor, 't1');
    expect(changed).toEqual(['name', 'description']);
    expect(next).not.toHaveProperty('description');
    expect(next).toMatchObject({ name: 'B', version: 2, updatedAt: 't1' });
  });
});
