import type {
  CustomFieldDefinition,
  CustomFieldValue,
  CustomFieldValues,
  CustomFieldValuesPatch,
} from '#shared/schemas/custom-fields';
import { type Actor, hasAnyRole } from './actor.ts';
import { type FieldIssue, Forbidden, Unprocessable } from './errors.ts';

/**
 * Custom field values against the workspace's definitions. Pure. Values are checked when they are
 * written, never on read: a definition removed or changed later leaves stored values as they are.
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export const isIsoDate = (value: string): boolean => {
  if (!ISO_DATE.test(value)) return false;
  const day = new Date(`${value}T00:00:00Z`);
  // Month 13 is an invalid date (toISOString would throw); day 30 of February rolls over to March.
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
};

/** Why `value` does not fit `definition`, or undefined when it does. */
export const customFieldProblem = (
  definition: CustomFieldDefinition,
  value: CustomFieldValue,
): string | undefined => {
  switch (definition.type) {
    case 'number':
      return typeof value === 'number' ? undefined : 'Must be a number';
    case 'text':
      return typeof value === 'string' && value.trim() !== '' ? undefined : 'Must be non-empty text';
    case 'date':
      return typeof value === 'string' && isIsoDate(value) ? undefined : 'Must be an ISO date (YYYY-MM-DD)';
    case 'enum':
      return typeof value === 'string' && definition.options?.includes(value)
        ? undefined
        : `Must be one of: ${(definition.options ?? []).join(', ')}`;
  }
};

const issue = (key: string, detail: string): FieldIssue => ({
  in: 'body',
  field: `customFields.${key}`,
  detail,
});

const valueIssues = (
  values: Record<string, CustomFieldValue | null>,
  byKey: Map<string, CustomFieldDefinition>,
): FieldIssue[] =>
  Object.entries(values).flatMap(([key, value]) => {
    const definition = byKey.get(key);
    if (value === null) {
      return definition?.required ? [issue(key, 'A required custom field cannot be removed')] : [];
    }
    if (!definition) return [issue(key, `No custom field "${key}" is defined in this workspace`)];
    const problem = customFieldProblem(definition, value);
    return problem ? [issue(key, problem)] : [];
  });

const indexed = (definitions: readonly CustomFieldDefinition[]) =>
  new Map(definitions.map((definition) => [definition.key, definition]));

const throwIfAny = (issues: FieldIssue[]) => {
  if (issues.length > 0) throw new Unprocessable(issues, 'Custom fields do not match their definitions.');
};

/** A new record's values: each known and of its type, every required field present. */
export const assertCustomFieldsForCreate = (
  values: CustomFieldValues | undefined,
  definitions: readonly CustomFieldDefinition[],
): void => {
  const given = values ?? {};
  const missing = definitions
    .filter((definition) => definition.required && given[definition.key] === undefined)
    .map((definition) => issue(definition.key, 'This custom field is required'));
  throwIfAny([...valueIssues(given, indexed(definitions)), ...missing]);
};

/**
 * A merge patch of values: each value set must be known and of its type; null removes a value
 * (also of a field no longer defined), except a required one. Values the patch leaves alone are
 * not re-checked, so a changed definition never blocks an unrelated edit.
 */
export const assertCustomFieldsPatch = (
  patch: CustomFieldValuesPatch | undefined,
  definitions: readonly CustomFieldDefinition[],
): void => {
  throwIfAny(valueIssues(patch ?? {}, indexed(definitions)));
};

/** The workspace's fields are admins' to define; every role reads them. */
export const assertMayDefineCustomFields = (actor: Actor): void => {
  if (!hasAnyRole(actor, ['admin'])) throw new Forbidden('Only admins may define custom fields.');
};
