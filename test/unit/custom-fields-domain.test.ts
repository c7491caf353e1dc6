import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '#shared/domain/actor';
import {
  assertCustomFieldsForCreate,
  assertCustomFieldsPatch,
  assertMayDefineCustomFields,
  customFieldProblem,
  isIsoDate,
} from '#shared/domain/custom-fields';
import { Forbidden, Unprocessable } from '#shared/domain/errors';
import type { CustomFieldDefinition } from '#shared/schemas/custom-fields';
import { ReplaceCustomFieldsRequest } from '#shared/schemas/custom-fields';

const definitions: CustomFieldDefinition[] = [
  { key: 'plan', label: 'Plan', type: 'enum', options: ['free', 'pro'], required: true },
  { key: 'seats', label: 'Seats', type: 'number' },
  { key: 'renewal', label: 'Renewal', type: 'date' },
  { key: 'notes', label: 'Notes', type: 'text' },
];

/** The fields a rule failure names, or [] when the values pass. */
const failing = (check: () => void): string[] => {
  try {
    check();
    return [];
  } catch (error) {
    if (!(error instanceof Unprocessable)) throw error;
    return error.issues.map((issue) => issue.field).sort();
  }
};

describe('custom field values', () => {
  it('accepts values of the defined types', () => {
    expect(
      failing(() =>
        assertCustomFieldsForCreate(
          { plan: 'pro', seats: 3, renewal: '2027-02-28', notes: 'VIP' },
          definitions,
        ),
      ),
    ).toEqual([]);
  });

  it('names each unknown key, wrong type, malformed date and value outside the options', () => {
    const values = { plan: 'gold', seats: '3', renewal: '2027-02-30', notes: 4, colour: 'red' };
    expect(failing(() => assertCustomFieldsForCreate(values, definitions))).toEqual([
      'customFields.colour',
      'customFields.notes',
      'customFields.plan',
      'customFields.renewal',
      'customFields.seats',
    ]);
  });

  it('requires required fields on create only', () => {
    expect(failing(() => assertCustomFieldsForCreate({ seats: 1 }, definitions))).toEqual([
      'customFields.plan',
    ]);
    expect(failing(() => assertCustomFieldsForCreate(undefined, definitions))).toEqual(['customFields.plan']);
    expect(failing(() => assertCustomFieldsPatch({ seats: 1 }, definitions))).toEqual([]);
  });

  it('lets a patch remove values, even of fields no longer defined, but not a required one', () => {
    expect(failing(() => assertCustomFieldsPatch({ seats: null, retired: null }, definitions))).toEqual([]);
    expect(failing(() => assertCustomFieldsPatch({ plan: null }, definitions))).toEqual([
      'customFields.plan',
    ]);
    expect(failing(() => assertCustomFieldsPatch({ retired: 'x' }, definitions))).toEqual([
      'customFields.retired',
    ]);
  });

  it('reads ISO dates strictly', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2027-13-01')).toBe(false);
    expect(isIsoDate('0000-00-00')).toBe(false);
    expect(isIsoDate('2024-2-9')).toBe(false);
    expect(isIsoDate('2024-02-29T00:00:00Z')).toBe(false);
    expect(customFieldProblem({ key: 'd', label: 'D', type: 'date' }, 20240229)).toBe(
      'Must be an ISO date (YYYY-MM-DD)',
    );
  });
});

describe('custom field checks on any input', () => {
  it('never throw anything but a 422 naming custom fields, whatever the values', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      fc.double(),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('plan', 'seats', 'renewal', 'notes', 'x'), value),
        (values) => {
          for (const field of failing(() => assertCustomFieldsForCreate(values, definitions)))
            expect(field).toMatch(/^customFields\./);
        },
      ),
    );
  });
});

describe('custom field definitions', () => {
  const paths = (body: unknown) =>
    ReplaceCustomFieldsRequest.safeParse(body).error?.issues.map((issue) => issue.path.join('.')) ?? [];

  it('needs options for enums only, unique options and unique keys', () => {
    expect(paths({ fields: definitions })).toEqual([]);
    expect(
      paths({
        fields: [
          { key: 'a', label: 'A', type: 'enum' },
          { key: 'b', label: 'B', type: 'text', options: ['x'] },
          { key: 'c', label: 'C', type: 'enum', options: ['x', 'x'] },
          { key: 'a', label: 'A again', type: 'number' },
        ],
      }),
    ).toEqual(['fields.0.options', 'fields.1.options', 'fields.2.options.1', 'fields.3.key']);
  });

  it('bounds keys, labels and list sizes', () => {
    expect(paths({ fields: [{ key: '1bad', label: 'x', type: 'text' }] })).toEqual(['fields.0.key']);
    expect(paths({ fields: [{ key: 'constructor', label: 'x', type: 'text' }] })).toEqual(['fields.0.key']);
    const many = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, label: 'x', type: 'text' }));
    expect(paths({ fields: many })).toEqual(['fields']);
    expect(paths({ fields: [], extra: true })).toEqual(['']);
  });

  it('are admins’ to define', () => {
    const as = (role: 'admin' | 'manager'): Actor => ({ userId: 'u', roles: [role], correlationId: 'c' });
    expect(() => assertMayDefineCustomFields(as('admin'))).not.toThrow();
    expect(() => assertMayDefineCustomFields(as('manager'))).toThrow(Forbidden);
  });
});
