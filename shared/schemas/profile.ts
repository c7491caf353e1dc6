import * as z from 'zod';
import { singleLine } from './common.ts';

/**
 * The person's base information and preferences (Customer 360: base information, preferences and
 * behaviour, scores). Every field is optional on the customer; requests set or clear them.
 */

export const Gender = z.enum(['female', 'male', 'non-binary', 'other', 'undisclosed']);

/** A calendar date (no time zone): the day matters for birthday e-mails, not the instant. */
export const Birthday = z.iso
  .date()
  .max(10)
  .refine((day) => day >= '1900-01-01' && Date.parse(day) <= Date.now(), 'Must be a past date after 1900')
  .meta({ example: '1990-12-10' });

export const Address = z
  .strictObject({
    label: z.enum(['home', 'work', 'billing', 'shipping', 'other']).default('home'),
    line1: singleLine(200),
    line2: singleLine(200).optional(),
    city: singleLine(100),
    region: singleLine(100).optional(),
    postalCode: z
      .string()
      .trim()
      .min(1)
      .max(20)
      .regex(/^[A-Za-z0-9 -]+$/, 'Letters, digits, space and -')
      .optional(),
    country: z
      .string()
      .length(2)
      .regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, e.g. GB')
      .meta({ example: 'GB' }),
  })
  .meta({ id: 'Address' });

export const PreferredLanguage = z
  .string()
  .max(12)
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'A language tag such as en or pt-BR')
  .meta({ example: 'en-GB' });

export const ContactChannel = z.enum(['email', 'phone', 'sms', 'whatsapp', 'mail', 'none']);

export const Interest = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9 _.-]*$/, 'Letters, digits, space, _ . -')
  .meta({ example: 'cycling' });

export const Scores = z
  .strictObject({
    valueScore: z
      .int()
      .min(0)
      .max(100)
      .optional()
      .meta({ format: 'int32', description: '0 (low) to 100 (high)' }),
    riskLevel: z.enum(['low', 'medium', 'high']).optional(),
  })
  .meta({ id: 'Scores', description: 'Value score and churn risk (set by people now, by reports later)' });

/** The profile fields, as the customer holds them. */
export const profileFields = {
  gender: Gender,
  birthday: Birthday,
  addresses: z.array(Address).max(5),
  preferredLanguage: PreferredLanguage,
  preferredChannel: ContactChannel,
  interests: z
    .array(Interest)
    .max(20)
    .overwrite((values) => [...new Set(values)]),
  scores: Scores,
};
