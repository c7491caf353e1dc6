import * as z from 'zod';
import { config } from '#shared/config';
import { toE164 } from '#shared/domain/contact-normalization';
import {
  Currency,
  MinorUnits,
  singleLine,
  Timestamp,
  Ulid,
  UserId,
  versionedRecordFields,
} from './common.ts';
import { CustomFieldValues, CustomFieldValuesPatch } from './custom-fields.ts';
import { profileFields } from './profile.ts';

/** Customer schemas: the API contract for requests and responses, and the shape stored in DynamoDB. */

export const LIFECYCLE_STAGES = ['lead', 'prospect', 'customer', 'loyal', 'at-risk', 'churned'] as const;
export const LifecycleStage = z
  .enum(LIFECYCLE_STAGES)
  .meta({ id: 'LifecycleStage', description: 'Where the customer is in their relationship with us' });

export type LifecycleStage = z.infer<typeof LifecycleStage>;
export const MAX_EMAILS = 5;
export const MAX_PHONES = 10;
export const MAX_TAGS = 20;

/** Lower-cased and trimmed, so that uniqueness holds whatever case a client sends. */
export const EmailAddress = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email().max(254))
  .meta({ format: 'email', description: 'E-mail address, stored lower-cased', example: 'ada@example.com' });

export const EmailEntry = z
  .strictObject({
    address: EmailAddress,
    label: z.enum(['work', 'home', 'other']).default('work'),
  })
  .meta({ id: 'EmailEntry' });

const PHONE_LABELS = ['mobile', 'work', 'home', 'other'] as const;

/** As stored and returned: E.164. */
export const PhoneEntry = z
  .strictObject({
    number: z
      .string()
      .max(16)
      .regex(/^\+[1-9]\d{6,14}$/, 'Must be an E.164 phone number such as +14155550123')
      .meta({ example: '+14155550123' }),
    label: z.enum(PHONE_LABELS).default('mobile'),
  })
  .meta({ id: 'PhoneEntry' });

/**
 * As a client may write it: `(415) 555-0123`, `+44 20 7946 0958`… Normalized to E.164; numbers
 * without a country code are read in DEFAULT_PHONE_COUNTRY (US by default).
 */
export const PhoneNumberInput = z
  .string()
  .trim()
  .max(32)
  .regex(/^[+0-9 ()./-]+$/, 'Must be a phone number such as +14155550123 or (415) 555-0123')
  .transform((text, ctx) => {
    const e164 = toE164(text, config.defaultPhoneCountry);
    if (e164 === undefined) {
      ctx.addIssue({ code: 'custom', message: 'Not a valid phone number', input: text });
      return z.NEVER;
    }
    return e164;
  })
  .meta({ example: '+1 415 555 0123' });

const PhoneEntryInput = z
  .strictObject({ number: PhoneNumberInput, label: z.enum(PHONE_LABELS).default('mobile') })
  .meta({ id: 'PhoneEntryInput' });

export const Tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(50)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'Tags use letters, digits, space, _ . -')
  .meta({ example: 'vip' });

export const ConsentSource = singleLine(100).meta({
  description: 'Where consent was given or withdrawn',
  example: 'signup-form',
});

export const EmailConsentInput = z
  .strictObject({
    status: z.enum(['granted', 'denied']),
    source: ConsentSource,
    at: Timestamp.optional().meta({ description: 'When it was given; defaults to the time of the request' }),
  })
  .meta({ id: 'ConsentGivenOrWithdrawn' });

export const EmailConsent = z
  .strictObject({
    status: z.enum(['granted', 'denied', 'unknown']),
    source: ConsentSource.optional(),
    at: Timestamp.optional(),
  })
  .meta({
    id: 'Consent',
    description: 'Consent to marketing on a channel, with when and where it was given',
  });

const uniqueBy =
  <T>(key: (item: T) => string, message: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', message, path: [index] });
      seen.add(k);
    });
  };

const Emails = z
  .array(EmailEntry)
  .max(MAX_EMAILS)
  .superRefine(uniqueBy((e) => e.address, 'Duplicate e-mail address'));
const Phones = z
  .array(PhoneEntryInput)
  .max(MAX_PHONES)
  .superRefine(uniqueBy((p) => p.number, 'Duplicate phone number'));
/** Repeated tags are folded into one rather than rejected. */
const Tags = z
  .array(Tag)
  .max(MAX_TAGS)
  .transform((tags) => [...new Set(tags)]);

const Name = singleLine(200).meta({ description: 'Full name', example: 'Ada Lovelace' });
const Company = singleLine(200).meta({
  description: "Employer's display name; copied from the linked company while `companyId` is set",
  example: 'Analytical Engines Ltd',
});
const JobTitle = singleLine(200).meta({ example: 'Head of Research' });
const CompanyId = Ulid.meta({
  description:
    'The company the person works for (see /companies); `company` then shows its name. Must exist (422 otherwise).',
});

/** Consent per channel, each with when and where it was given or withdrawn. */
const ConsentInput = z
  .strictObject({
    email: EmailConsentInput.optional(),
    sms: EmailConsentInput.optional(),
    phone: EmailConsentInput.optional(),
  })
  .meta({ id: 'ConsentInput' });
export const CONSENT_CHANNELS = ['email', 'sms', 'phone'] as const;

type Shape = Record<string, z.ZodType>;
const optionalFields = <S extends Shape>(shape: S) =>
  Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof S]: z.ZodOptional<S[K]>;
  };
const clearableFields = <S extends Shape>(shape: S) =>
  Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.nullable().optional()])) as {
    [K in keyof S]: z.ZodOptional<z.ZodNullable<S[K]>>;
  };

export const CreateCustomerRequest = z
  .strictObject({
    name: Name,
    emails: Emails.optional(),
    phones: Phones.optional(),
    company: Company.optional(),
    companyId: CompanyId.optional(),
    title: JobTitle.optional(),
    tags: Tags.optional(),
    lifecycleStage: LifecycleStage.optional(),
    ownerId: UserId.optional().meta({
      description: 'Owner; defaults to the caller. Only admins and managers may name someone else.',
    }),
    consent: ConsentInput.optional(),
    customFields: CustomFieldValues.optional(),
    ...optionalFields(profileFields),
  })
  .meta({ id: 'CreateCustomerRequest' });
export type CreateCustomerRequest = z.infer<typeof CreateCustomerRequest>;

/** JSON merge patch (RFC 7396): absent = unchanged, null = cleared, arrays replace. */
export const UpdateCustomerRequest = z
  .strictObject({
    name: Name.optional(),
    emails: Emails.optional(),
    phones: Phones.optional(),
    company: Company.nullable().optional(),
    companyId: CompanyId.nullable().optional(),
    title: JobTitle.nullable().optional(),
    tags: Tags.optional(),
    lifecycleStage: LifecycleStage.optional(),
    ownerId: UserId.nullable().optional(),
    consent: ConsentInput.optional(),
    ...clearableFields(profileFields),
    customFields: CustomFieldValuesPatch.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'Send at least one field to change' })
  .meta({ id: 'UpdateCustomerRequest', minProperties: 1 });
export type UpdateCustomerRequest = z.infer<typeof UpdateCustomerRequest>;

/** Aggregates kept on the customer, updated in the purchase's own transaction. */
export const PurchaseSummary = z
  .strictObject({
    orderCount: z.int().min(0).max(2_147_483_647).meta({ format: 'int32' }),
    firstPurchaseAt: Timestamp,
    lastPurchaseAt: Timestamp,
    byCurrency: z
      .array(
        z.strictObject({
          currency: Currency,
          orderCount: z.int().min(0).max(2_147_483_647).meta({ format: 'int32' }),
          totalSpent: MinorUnits.max(Number.MAX_SAFE_INTEGER),
          averageOrderValue: MinorUnits.max(Number.MAX_SAFE_INTEGER),
        }),
      )
      .max(200),
  })
  .meta({ id: 'PurchaseSummary', description: 'Order count, first and last purchase, spend per currency' });
export type PurchaseSummary = z.infer<typeof PurchaseSummary>;

export const Customer = z
  .strictObject({
    id: Ulid.meta({ example: '01JDQ3Z7YB8V5X1G6N2K4M9P0R' }),
    name: Name,
    emails: z.array(EmailEntry).max(MAX_EMAILS),
    phones: z.array(PhoneEntry).max(MAX_PHONES),
    company: Company.optional(),
    companyId: CompanyId.optional(),
    title: JobTitle.optional(),
    tags: z.array(Tag).max(MAX_TAGS),
    lifecycleStage: LifecycleStage,
    ownerId: UserId.optional(),
    consent: z.strictObject({
      email: EmailConsent,
      sms: EmailConsent.optional(),
      phone: EmailConsent.optional(),
    }),
    customFields: CustomFieldValues,
    ...optionalFields(profileFields),
    ...versionedRecordFields,
    purchaseSummary: PurchaseSummary.optional(),
  })
  .meta({ id: 'Customer' });
export type Customer = z.infer<typeof Customer>;
