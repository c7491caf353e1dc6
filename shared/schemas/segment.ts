import * as z from 'zod';
import { Currency, Cursor, MinorUnits, singleLine, Ulid, UserId, versionedRecordFields } from './common.ts';
import { COMPANY_SIZES, INDUSTRIES } from './company.ts';
import { CustomFieldKey, CustomFieldValue } from './custom-fields.ts';
import { LIFECYCLE_STAGES } from './customer.ts';
import { Gender, PreferredLanguage } from './profile.ts';

/**
 * Segments: a name and a rule over what the marketable-customer index holds about each person
 * (the audience view, shared/domain/audience.ts). The rule language is recursive (`and`, `or`,
 * `not` over conditions) and bounded: at most MAX_RULE_DEPTH levels of nesting and
 * MAX_RULE_CONDITIONS conditions in all, checked after the shape.
 */

export const MAX_RULE_DEPTH = 5;
export const MAX_RULE_CONDITIONS = 50;
const MAX_CHILDREN = 20;
const MAX_VALUES = 50;

const values = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_VALUES);

/** Stored tags are lower-case (the customer schema folds them): rules name them the same way. */
const TagValue = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9 _.-]*$/, 'Tags are lower-case letters, digits, space, _ . -')
  .meta({ example: 'vip' });
const CountryCode = z
  .string()
  .length(2)
  .regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, e.g. GB')
  .meta({ example: 'GB' });
const MailDomain = z
  .string()
  .min(3)
  .max(253)
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'A lower-case domain such as example.com')
  .meta({ example: 'example.com' });
const IsoDate = z.iso.date().max(10).meta({ example: '2026-01-31' });
const Comparison = z
  .enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte'])
  .meta({ description: 'equal, not equal, greater than, at least, less than, at most' });
const Days = z.int().min(1).max(3650).meta({ format: 'int32' });
export const VALUE_TIERS = ['low', 'medium', 'high'] as const;

const condition = <F extends string, S extends z.ZodRawShape>(field: F, shape: S, description: string) =>
  z.strictObject({ field: z.literal(field), ...shape }).meta({ description });

export const RuleCondition = z
  .discriminatedUnion('field', [
    condition('gender', { in: values(Gender) }, 'Gender is one of'),
    condition(
      'birthdayMonth',
      { in: values(z.int().min(1).max(12).meta({ format: 'int32' })) },
      'Birthday falls in one of these months (1 = January)',
    ),
    condition(
      'preferredLanguage',
      { in: values(PreferredLanguage) },
      'Preferred language is one of; `en` also matches `en-GB`',
    ),
    condition('country', { in: values(CountryCode) }, 'Country of the first (primary) address is one of'),
    condition(
      'emailDomain',
      { in: values(MailDomain) },
      'The primary e-mail address is at one of these domains',
    ),
    condition(
      'tags',
      { has: z.enum(['any', 'all', 'none']), values: values(TagValue) },
      'Has any, all or none of these tags',
    ),
    condition('lifecycleStage', { in: values(z.enum(LIFECYCLE_STAGES)) }, 'Lifecycle stage is one of'),
    condition(
      'companyIndustry',
      { in: values(z.enum(INDUSTRIES)) },
      "The linked company's industry is one of",
    ),
    condition(
      'companySize',
      { in: values(z.enum(COMPANY_SIZES)) },
      "The linked company's size band is one of",
    ),
    condition(
      'emailConsent',
      { in: values(z.enum(['granted', 'denied', 'unknown'])) },
      'E-mail consent status is one of (the audience holds only `granted`)',
    ),
    condition(
      'totalSpent',
      { currency: Currency, op: Comparison, value: MinorUnits },
      'Total spent in one currency (minor units) compares to the value; no purchase in it counts as 0',
    ),
    condition(
      'orderCount',
      { op: Comparison, value: z.int().min(0).max(2_147_483_647).meta({ format: 'int32' }) },
      'Number of orders compares to the value',
    ),
    condition(
      'lastPurchase',
      {
        before: IsoDate.optional().meta({ description: 'Last purchase before this day (UTC)' }),
        after: IsoDate.optional().meta({ description: 'Last purchase on or after this day (UTC)' }),
        withinDays: Days.optional().meta({ description: 'Last purchase within the last N days' }),
        notWithinDays: Days.optional().meta({
          description: 'No purchase within the last N days (people who never bought match)',
        }),
      },
      'Last purchase date: every bound given must hold; people who never bought match only `notWithinDays`',
    ).refine(
      (c) => [c.before, c.after, c.withinDays, c.notWithinDays].some((bound) => bound !== undefined),
      'Give at least one of before, after, withinDays, notWithinDays',
    ),
    condition(
      'valueTier',
      { in: values(z.enum(VALUE_TIERS)) },
      'Value tier from scores.valueScore: high ≥ 70, medium 40–69, low < 40; no score, no tier',
    ),
    condition(
      'riskLevel',
      { in: values(z.enum(['low', 'medium', 'high'])) },
      'Churn risk level (scores.riskLevel) is one of',
    ),
    condition(
      'customField',
      {
        key: CustomFieldKey,
        op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists', 'notExists']),
        value: CustomFieldValue.optional().meta({ description: 'For eq, ne, gt, gte, lt, lte' }),
        values: values(CustomFieldValue).optional().meta({ description: 'For in' }),
      },
      'A custom field compared by its type (number, date, text, enum) as the workspace defines it; ' +
        'a person without a value matches only notExists (and ne)',
    ).superRefine((c, ctx) => {
      const needsValue = !['in', 'exists', 'notExists'].includes(c.op);
      if (needsValue && c.value === undefined)
        ctx.addIssue({ code: 'custom', message: `${c.op} needs a value`, path: ['value'] });
      if (!needsValue && c.value !== undefined)
        ctx.addIssue({ code: 'custom', message: `${c.op} takes no value`, path: ['value'] });
      if (c.op === 'in' && c.values === undefined)
        ctx.addIssue({ code: 'custom', message: 'in needs values', path: ['values'] });
      if (c.op !== 'in' && c.values !== undefined)
        ctx.addIssue({ code: 'custom', message: 'Only in takes values', path: ['values'] });
    }),
  ])
  .meta({ id: 'SegmentCondition', description: 'One test of a person, named by `field`' });
export type RuleCondition = z.infer<typeof RuleCondition>;

export type SegmentRule =
  | RuleCondition
  | { and: SegmentRule[] }
  | { or: SegmentRule[] }
  | { not: SegmentRule };

const children = () => z.array(SegmentRuleShape).min(1).max(MAX_CHILDREN);

/** The recursive shape; the bounds on depth and size are checked by `SegmentRule`. */
const SegmentRuleShape: z.ZodType<SegmentRule> = z
  .lazy(() =>
    z.union(
      [
        z.strictObject({ and: children() }).meta({ description: 'Every rule holds' }),
        z.strictObject({ or: children() }).meta({ description: 'At least one rule holds' }),
        z.strictObject({ not: SegmentRuleShape }).meta({ description: 'The rule does not hold' }),
        RuleCondition,
      ],
      {
        error:
          'Must be {"and": [rules]}, {"or": [rules]}, {"not": rule} or a condition (see SegmentCondition)',
      },
    ),
  )
  .meta({
    id: 'SegmentRule',
    description:
      `\`and\` / \`or\` (1–${MAX_CHILDREN} rules each) and \`not\` over conditions; at most ${MAX_RULE_DEPTH} ` +
      `levels deep and ${MAX_RULE_CONDITIONS} conditions in all`,
  });

/** Nesting depth (a bare condition is 1) and number of conditions, iteratively. */
export const ruleSize = (rule: SegmentRule): { depth: number; conditions: number } => {
  let depth = 0;
  let conditions = 0;
  const stack: [SegmentRule, number][] = [[rule, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, level] = next;
    depth = Math.max(depth, level);
    if ('and' in node) for (const child of node.and) stack.push([child, level + 1]);
    else if ('or' in node) for (const child of node.or) stack.push([child, level + 1]);
    else if ('not' in node) stack.push([node.not, level + 1]);
    else conditions++;
  }
  return { depth, conditions };
};

export const SegmentRule = SegmentRuleShape.superRefine((rule, ctx) => {
  const { depth, conditions } = ruleSize(rule);
  if (depth > MAX_RULE_DEPTH)
    ctx.addIssue({ code: 'custom', message: `Nested deeper than ${MAX_RULE_DEPTH} levels` });
  if (conditions > MAX_RULE_CONDITIONS)
    ctx.addIssue({ code: 'custom', message: `More than ${MAX_RULE_CONDITIONS} conditions` });
}).meta({
  description: `A segment rule, at most ${MAX_RULE_DEPTH} levels deep with ${MAX_RULE_CONDITIONS} conditions in all`,
  example: {
    and: [
      { field: 'lifecycleStage', in: ['customer', 'loyal'] },
      { field: 'totalSpent', currency: 'EUR', op: 'gte', value: 10000 },
      { not: { field: 'tags', has: 'any', values: ['no-promo'] } },
    ],
  },
});

const Name = singleLine(100).meta({ example: 'Loyal big spenders' });
const Description = singleLine(500).meta({ example: 'Customers who spent at least 100 EUR' });

export const CreateSegmentRequest = z
  .strictObject({ name: Name, description: Description.optional(), rule: SegmentRule })
  .meta({ id: 'CreateSegmentRequest' });
export type CreateSegmentRequest = z.infer<typeof CreateSegmentRequest>;

export const UpdateSegmentRequest = z
  .strictObject({
    name: Name.optional(),
    description: Description.nullable().optional(),
    rule: SegmentRule.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'Send at least one field to change' })
  .meta({ id: 'UpdateSegmentRequest', minProperties: 1 });
export type UpdateSegmentRequest = z.infer<typeof UpdateSegmentRequest>;

export const Segment = z
  .strictObject({
    id: Ulid.meta({ example: '01JDQ3Z7YB8V5X1G6N2K4M9S0G' }),
    name: Name,
    description: Description.optional(),
    rule: SegmentRule,
    ...versionedRecordFields,
    updatedBy: UserId,
  })
  .meta({ id: 'Segment' });
export type Segment = z.infer<typeof Segment>;

export const SegmentPage = z
  .strictObject({
    items: z.array(Segment).max(100),
    nextCursor: Cursor.nullable().meta({
      description: 'Pass as `cursor` for the next page; null on the last',
    }),
  })
  .meta({ id: 'SegmentPage' });

export const SegmentMember = z
  .strictObject({
    customerId: Ulid,
    name: singleLine(200),
    email: z.string().max(254).meta({ format: 'email' }),
    lifecycleStage: z.enum(LIFECYCLE_STAGES),
  })
  .meta({ id: 'SegmentMember' });

export const SegmentPreview = z
  .strictObject({
    count: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({
      format: 'int64',
      description: 'Marketable customers (e-mail consent granted, address not suppressed) matching the rule',
    }),
    sample: z.array(SegmentMember).max(10).meta({ description: 'Up to 10 of them' }),
  })
  .meta({ id: 'SegmentPreview' });
export type SegmentPreview = z.infer<typeof SegmentPreview>;
