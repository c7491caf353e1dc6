import * as z from 'zod';
import { isWellFormedText, NO_CONTROL_CHARS, singleLine, Timestamp, UserId } from './common.ts';

/**
 * Typed custom fields: the workspace's definitions (admins set them), and the values records
 * carry. A value's shape is checked here (string or number, bounded); whether it fits its
 * definition (type, enum option, required) is a domain rule (shared/domain/custom-fields.ts).
 */

export const MAX_CUSTOM_FIELDS = 50;
export const MAX_ENUM_OPTIONS = 50;
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'enum'] as const;

/** Names of Object.prototype members are refused: they break plain-object handling downstream. */
export const CustomFieldKey = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^(?!(constructor|toString|toLocaleString|valueOf|hasOwnProperty|isPrototypeOf|propertyIsEnumerable|__proto__)$)[A-Za-z][A-Za-z0-9_]*$/,
    'Keys start with a letter, use letters, digits and _, and are not reserved words',
  )
  .meta({ example: 'plan' });

const EnumOption = singleLine(100).meta({ example: 'pro' });

export const CustomFieldDefinition = z
  .strictObject({
    key: CustomFieldKey,
    label: singleLine(100).meta({ example: 'Plan' }),
    type: z.enum(CUSTOM_FIELD_TYPES).meta({
      description: '`text` (up to 1000 characters), `number`, `date` (ISO date, YYYY-MM-DD) or `enum`',
    }),
    options: z
      .array(EnumOption)
      .min(1)
      .max(MAX_ENUM_OPTIONS)
      .optional()
      .meta({ description: 'The allowed values; required for `enum`, refused for other types' }),
    required: z.boolean().optional().meta({ description: 'A new customer must have a value' }),
  })
  .superRefine((definition, ctx) => {
    if (definition.type === 'enum' && !definition.options) {
      ctx.addIssue({ code: 'custom', message: 'An enum field needs options', path: ['options'] });
    }
    if (definition.type !== 'enum' && definition.options) {
      ctx.addIssue({ code: 'custom', message: 'Only enum fields have options', path: ['options'] });
    }
    const options = definition.options ?? [];
    options.forEach((option, index) => {
      if (options.indexOf(option) !== index)
        ctx.addIssue({ code: 'custom', message: 'Duplicate option', path: ['options', index] });
    });
  })
  .meta({ id: 'CustomFieldDefinition' });
export type CustomFieldDefinition = z.infer<typeof CustomFieldDefinition>;

const Definitions = z
  .array(CustomFieldDefinition)
  .max(MAX_CUSTOM_FIELDS)
  .superRefine((definitions, ctx) => {
    const seen = new Set<string>();
    definitions.forEach((definition, index) => {
      if (seen.has(definition.key))
        ctx.addIssue({ code: 'custom', message: 'Duplicate key', path: [index, 'key'] });
      seen.add(definition.key);
    });
  });

export const ReplaceCustomFieldsRequest = z
  .strictObject({ fields: Definitions })
  .meta({ id: 'ReplaceCustomFieldsRequest' });
export type ReplaceCustomFieldsRequest = z.infer<typeof ReplaceCustomFieldsRequest>;

export const CustomFieldSettings = z
  .strictObject({
    fields: z.array(CustomFieldDefinition).max(MAX_CUSTOM_FIELDS),
    version: z.int().min(0).max(2_147_483_647).meta({
      format: 'int32',
      description: 'Also sent as the ETag; 0 while no field was ever defined',
    }),
    updatedAt: Timestamp.optional(),
    updatedBy: UserId.optional(),
  })
  .meta({ id: 'CustomFieldSettings', description: "The workspace's custom field definitions" });
export type CustomFieldSettings = z.infer<typeof CustomFieldSettings>;

/** DynamoDB stores numbers down to 1e-130 in magnitude; smaller ones are refused rather than failing the write. */
export const CustomFieldValue = z
  .union([
    z
      .string()
      .max(1000)
      .regex(NO_CONTROL_CHARS, 'Must not contain control characters')
      .refine(isWellFormedText, 'Must be well-formed Unicode'),
    z
      .number()
      .min(-1e15)
      .max(1e15)
      .refine((n) => n === 0 || Math.abs(n) >= 1e-100, 'Must be 0 or at least 1e-100 in magnitude'),
  ])
  .meta({ description: 'Text, enum option or ISO date (string), or a number, as the definition says' });
export type CustomFieldValue = z.infer<typeof CustomFieldValue>;

const fieldCount = (value: Record<string, unknown>) => Object.keys(value).length <= MAX_CUSTOM_FIELDS;

/** Values by key, as a record holds them (typed by the workspace's definitions). */
export const CustomFieldValues = z
  .record(CustomFieldKey, CustomFieldValue)
  .refine(fieldCount, { message: `At most ${MAX_CUSTOM_FIELDS} custom fields` })
  .meta({ id: 'CustomFieldValues', maxProperties: MAX_CUSTOM_FIELDS, example: { plan: 'pro', seats: 12 } });
export type CustomFieldValues = z.infer<typeof CustomFieldValues>;

/** A merge patch of values: null removes a value (also one whose definition was removed). */
export const CustomFieldValuesPatch = z
  .record(CustomFieldKey, CustomFieldValue.nullable())
  .refine(fieldCount, { message: `At most ${MAX_CUSTOM_FIELDS} custom fields` })
  .meta({ maxProperties: MAX_CUSTOM_FIELDS, description: 'Keys set to null are removed' });
export type CustomFieldValuesPatch = z.infer<typeof CustomFieldValuesPatch>;
