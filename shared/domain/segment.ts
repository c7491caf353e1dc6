import type { CustomFieldDefinition, CustomFieldValue } from '#shared/schemas/custom-fields';
import type {
  CreateSegmentRequest,
  RuleCondition,
  Segment,
  SegmentRule,
  UpdateSegmentRequest,
} from '#shared/schemas/segment';
import { type Actor, hasAnyRole } from './actor.ts';
import type { AudienceView } from './audience.ts';
import { customFieldProblem } from './custom-fields.ts';
import { type FieldIssue, Forbidden, Unprocessable } from './errors.ts';

/** Segment rules: who may manage segments, and whether a person matches a rule. Pure functions. */

const MANAGE = ['admin', 'manager', 'marketing'] as const;

/** Admins, managers and marketing create, change and delete segments; every role reads and previews. */
export const assertMayManageSegments = (actor: Actor): void => {
  if (!hasAnyRole(actor, MANAGE)) throw new Forbidden('Only admins, managers and marketing manage segments.');
};

/** What the rule needs to know about a linked company. */
export interface CompanyFacts {
  industry?: string;
  size?: string;
}

export interface RuleContext {
  /** Evaluation time in epoch milliseconds (for `withinDays`). */
  now: number;
  /** Companies referenced by the views, by id (only needed when the rule tests companies). */
  companies?: ReadonlyMap<string, CompanyFacts>;
}

const DAY_MS = 86_400_000;

/** high ≥ 70, medium 40–69, low < 40; no score, no tier. */
export const valueTier = (score: number | undefined): 'low' | 'medium' | 'high' | undefined =>
  score === undefined ? undefined : score >= 70 ? 'high' : score >= 40 ? 'medium' : 'low';

type Op = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
const compare = <T extends number | string>(left: T, op: Op, right: T): boolean => {
  switch (op) {
    case 'eq':
      return left === right;
    case 'ne':
      return left !== right;
    case 'gt':
      return left > right;
    case 'gte':
      return left >= right;
    case 'lt':
      return left < right;
    case 'lte':
      return left <= right;
  }
};

/** Values of the same JS type compare (numbers numerically, ISO dates and text as strings); others never match. */
const compareValues = (left: CustomFieldValue, op: Op, right: CustomFieldValue): boolean => {
  if (typeof left !== typeof right) return op === 'ne';
  return compare(left, op, right);
};

const oneOf = <T>(value: T | undefined, list: readonly T[]): boolean =>
  value !== undefined && list.includes(value);

const matchesCondition = (c: RuleCondition, view: AudienceView, context: RuleContext): boolean => {
  switch (c.field) {
    case 'gender':
      return oneOf(view.gender as (typeof c.in)[number] | undefined, c.in);
    case 'birthdayMonth':
      return view.birthday !== undefined && c.in.includes(Number(view.birthday.slice(5, 7)));
    case 'preferredLanguage': {
      const language = view.preferredLanguage;
      return language !== undefined && c.in.some((tag) => language === tag || language.startsWith(`${tag}-`));
    }
    case 'country':
      return oneOf(view.country, c.in);
    case 'emailDomain':
      return oneOf(view.email.split('@')[1], c.in);
    case 'tags':
      if (c.has === 'any') return c.values.some((tag) => view.tags.includes(tag));
      if (c.has === 'all') return c.values.every((tag) => view.tags.includes(tag));
      return !c.values.some((tag) => view.tags.includes(tag));
    case 'lifecycleStage':
      return c.in.includes(view.lifecycleStage);
    case 'companyIndustry':
    case 'companySize': {
      const company = view.companyId ? context.companies?.get(view.companyId) : undefined;
      const value = c.field === 'companyIndustry' ? company?.industry : company?.size;
      return oneOf(value, c.in as readonly string[]);
    }
    case 'emailConsent':
      return c.in.includes(view.emailConsent);
    case 'totalSpent': {
      const spent = view.purchases?.spent.find((s) => s.currency === c.currency)?.totalSpent ?? 0;
      return compare(spent, c.op, c.value);
    }
    case 'orderCount':
      return compare(view.purchases?.orderCount ?? 0, c.op, c.value);
    case 'lastPurchase': {
      const last = view.purchases?.lastPurchaseAt;
      if (c.notWithinDays !== undefined && last !== undefined) {
        if (Date.parse(last) >= context.now - c.notWithinDays * DAY_MS) return false;
      }
      if (c.before === undefined && c.after === undefined && c.withinDays === undefined) return true;
      if (last === undefined) return false;
      if (c.before !== undefined && last >= `${c.before}T00:00:00.000Z`) return false;
      if (c.after !== undefined && last < `${c.after}T00:00:00.000Z`) return false;
      if (c.withinDays !== undefined && Date.parse(last) < context.now - c.withinDays * DAY_MS) return false;
      return true;
    }
    case 'valueTier':
      return oneOf(valueTier(view.valueScore), c.in);
    case 'riskLevel':
      return oneOf(view.riskLevel, c.in);
    case 'customField': {
      const value = Object.hasOwn(view.customFields, c.key) ? view.customFields[c.key] : undefined;
      if (c.op === 'exists') return value !== undefined;
      if (c.op === 'notExists') return value === undefined;
      if (c.op === 'in') return value !== undefined && (c.values ?? []).includes(value);
      if (value === undefined) return c.op === 'ne';
      return c.value !== undefined && compareValues(value, c.op, c.value);
    }
  }
};

/** Whether a person (their audience view) matches a rule. Pure; the rule is bounded by its schema. */
export const matchesRule = (rule: SegmentRule, view: AudienceView, context: RuleContext): boolean => {
  if ('and' in rule) return rule.and.every((child) => matchesRule(child, view, context));
  if ('or' in rule) return rule.or.some((child) => matchesRule(child, view, context));
  if ('not' in rule) return !matchesRule(rule.not, view, context);
  return matchesCondition(rule, view, context);
};

/** Every condition of a rule, with its path in the request body (`rule.and.1.not`). */
export const conditionsOf = (
  rule: SegmentRule,
  path = 'rule',
): { condition: RuleCondition; path: string }[] => {
  if ('and' in rule) return rule.and.flatMap((child, i) => conditionsOf(child, `${path}.and.${i}`));
  if ('or' in rule) return rule.or.flatMap((child, i) => conditionsOf(child, `${path}.or.${i}`));
  if ('not' in rule) return conditionsOf(rule.not, `${path}.not`);
  return [{ condition: rule, path }];
};

/** Whether evaluating the rule needs the linked companies (so the audience builder reads them). */
export const ruleTestsCompanies = (rule: SegmentRule): boolean =>
  conditionsOf(rule).some(
    ({ condition }) => condition.field === 'companyIndustry' || condition.field === 'companySize',
  );

const ORDERED_TYPES = new Set(['number', 'date']);

/**
 * Custom-field conditions against the workspace's definitions: the key must be defined, the
 * operator must suit its type (text and enum have no order), every value must fit the definition.
 * A 422 naming each bad condition.
 */
export const assertRuleFitsDefinitions = (
  rule: SegmentRule,
  definitions: readonly CustomFieldDefinition[],
): void => {
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  const issues: FieldIssue[] = conditionsOf(rule).flatMap(({ condition, path }) => {
    if (condition.field !== 'customField') return [];
    const definition = byKey.get(condition.key);
    const at = (field: string, detail: string): FieldIssue => ({
      in: 'body',
      field: `${path}.${field}`,
      detail,
    });
    if (!definition) return [at('key', `No custom field "${condition.key}" is defined in this workspace`)];
    if (['gt', 'gte', 'lt', 'lte'].includes(condition.op) && !ORDERED_TYPES.has(definition.type))
      return [at('op', `A ${definition.type} field has no order: use eq, ne, in, exists or notExists`)];
    const problems: FieldIssue[] = [];
    if (condition.value !== undefined) {
      const problem = customFieldProblem(definition, condition.value);
      if (problem) problems.push(at('value', problem));
    }
    (condition.values ?? []).forEach((value, i) => {
      const problem = customFieldProblem(definition, value);
      if (problem) problems.push(at(`values.${i}`, problem));
    });
    return problems;
  });
  if (issues.length > 0)
    throw new Unprocessable(issues, 'The rule does not fit the custom field definitions.');
};

export const newSegment = (
  input: CreateSegmentRequest,
  actor: Actor,
  ids: { id: string; now: string },
): Segment => ({
  id: ids.id,
  name: input.name,
  ...(input.description !== undefined ? { description: input.description } : {}),
  rule: input.rule,
  version: 1,
  createdAt: ids.now,
  updatedAt: ids.now,
  createdBy: actor.userId,
  updatedBy: actor.userId,
});

/** JSON merge patch: absent = unchanged, `description: null` clears it, `rule` replaces the rule. */
export const applySegmentPatch = (
  current: Segment,
  patch: UpdateSegmentRequest,
  actor: Actor,
  now: string,
): { next: Segment; changed: string[] } => {
  const { description: _dropped, ...rest } = current;
  const next: Segment = {
    ...(patch.description === null ? rest : current),
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description ? { description: patch.description } : {}),
    ...(patch.rule !== undefined ? { rule: patch.rule } : {}),
  };
  const changed = (['name', 'description', 'rule'] as const).filter(
    (field) => JSON.stringify(next[field]) !== JSON.stringify(current[field]),
  );
  if (changed.length === 0) return { next: current, changed };
  return {
    next: { ...next, version: current.version + 1, updatedAt: now, updatedBy: actor.userId },
    changed,
  };
};
