import * as z from 'zod';

/**
 * Building blocks for every API schema. Each string is bounded and restricted (no control
 * characters), each array has a maximum size: hostile input is rejected at the edge, and the
 * OpenAPI document states the same limits the code enforces.
 */

/**
 * C0/C1 control characters, zero-width characters and bidi overrides (which can disguise a name
 * in a list or an e-mail subject). Spelled as ranges, not \p{Cc}, so every JSON Schema engine
 * can run the pattern.
 */
const INVISIBLE_OR_CONTROL = '\\x00-\\x1f\\x7f-\\x9f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069';
export const NO_CONTROL_CHARS = new RegExp(`^[^${INVISIBLE_OR_CONTROL}]*$`);
/** Finds each such character, to replace it where text must be echoed back. */
export const CONTROL_CHAR = new RegExp(`[${INVISIBLE_OR_CONTROL}]`, 'g');

/** Multi-line text (notes, summaries): line breaks and tabs allowed, other controls and invisibles not. */
const MULTILINE_INVISIBLE_OR_CONTROL =
  '\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069';
export const MULTILINE_TEXT = new RegExp(`^[^${MULTILINE_INVISIBLE_OR_CONTROL}]*$`);

/** Lone UTF-16 surrogates cannot be stored or e-mailed faithfully; no JSON Schema pattern can say so. */
export const isWellFormedText = (value: string) => value.isWellFormed();

/** A single-line text field, trimmed, 1..max characters, well-formed, no invisible or control characters. */
export const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(NO_CONTROL_CHARS, 'Must not contain control, zero-width or bidi-override characters')
    .refine(isWellFormedText, 'Must be well-formed Unicode');

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const Ulid = z.string().max(26).regex(ULID_PATTERN, 'Must be a ULID');

export const Timestamp = z.iso.datetime({ offset: false }).max(30).meta({
  description: 'ISO-8601 timestamp in UTC',
  example: '2026-11-25T09:30:00.000Z',
});

/** Opaque user id (the Cognito `sub`, or a dev user's id locally). */
export const UserId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9:_@.-]+$/, 'Must be a user id')
  .meta({ description: 'User id (Cognito sub)', example: 'dev-sales' });

/** What every versioned record carries: its version (the ETag) and who created it, when. */
export const versionedRecordFields = {
  version: z.int().min(1).max(2_147_483_647).meta({ format: 'int32', description: 'Also sent as the ETag' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  createdBy: UserId,
};

export const Cursor = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[A-Za-z0-9_-]+$/, 'Must be a cursor returned by a previous page')
  .meta({ description: 'Opaque cursor from `nextCursor` of the previous page' });

/** `limit` is clamped to 1..100 rather than rejected, as the API conventions promise. */
export const Limit = z
  .string()
  .max(12)
  .regex(/^\d+$/, 'Must be a whole number')
  .transform((value) => Math.min(100, Math.max(1, Number(value))))
  .meta({ description: 'Page size, clamped to 1..100 (default 25)', example: '25' });

export const DEFAULT_PAGE_SIZE = 25;

/** Money as integer minor units (cents) and an ISO 4217 currency: no floating point anywhere. */
export const MinorUnits = z
  .int()
  .min(0)
  .max(1_000_000_000_000)
  .meta({ format: 'int64', description: 'Amount in minor units of the currency (cents)', example: 4999 });
/** The ISO 4217 codes this runtime's ICU knows (about 160 in use): `ZZZ` is three capitals, not money. */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));
export const Currency = z
  .string()
  .max(3)
  .regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 code such as EUR')
  .refine((code) => ISO_4217.has(code), 'Must be an ISO 4217 code such as EUR')
  .meta({ example: 'EUR' });
