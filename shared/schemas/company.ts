import * as z from 'zod';
import { normalizeDomain } from '#shared/domain/web-domain';
import { Currency, MinorUnits, singleLine, Ulid, UserId, versionedRecordFields } from './common.ts';
import { Tag } from './customer.ts';
import { Address } from './profile.ts';

/** Company schemas: the API contract for requests and responses, and the shape stored in DynamoDB. */

export const MAX_COMPANY_TAGS = 20;

export const INDUSTRIES = [
  'agriculture',
  'construction',
  'consumer-goods',
  'education',
  'energy',
  'financial-services',
  'government',
  'healthcare',
  'hospitality',
  'logistics',
  'manufacturing',
  'media',
  'non-profit',
  'professional-services',
  'real-estate',
  'retail',
  'software',
  'telecommunications',
  'other',
] as const;
export const Industry = z
  .enum(INDUSTRIES)
  .meta({ id: 'Industry', description: 'A fixed list, so reports can group by it; `other` for the rest' });

export const COMPANY_SIZES = [
  '1-10',
  '11-50',
  '51-200',
  '201-500',
  '501-1000',
  '1001-5000',
  '5001+',
] as const;
export const CompanySize = z
  .enum(COMPANY_SIZES)
  .meta({ id: 'CompanySize', description: 'Employee count band' });

/** A bare host name (`example.com`, `www.Example.com.`), stored lower-case without `www.`. */
export const DomainName = z
  .string()
  .trim()
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$/, 'Must be a domain name such as example.com')
  .transform((text, ctx) => {
    const domain = normalizeDomain(text);
    if (domain === undefined) {
      ctx.addIssue({ code: 'custom', message: 'Must be a domain name such as example.com', input: text });
      return z.NEVER;
    }
    return domain;
  })
  .meta({ description: 'Host name, stored lower-case without `www.`; unique', example: 'example.com' });

/** As stored and returned (already normalized). */
const StoredDomainName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/)
  .meta({ example: 'example.com' });

export const Website = z
  .url({ protocol: /^https$/, hostname: z.regexes.domain })
  .max(2000)
  .meta({ description: 'https URL', example: 'https://example.com' });

export const Money = z
  .strictObject({ amount: MinorUnits, currency: Currency })
  .meta({ id: 'Money', description: 'Integer minor units (cents) and an ISO 4217 currency' });

const Name = singleLine(200).meta({ example: 'Analytical Engines Ltd' });
const Tags = z
  .array(Tag)
  .max(MAX_COMPANY_TAGS)
  .transform((tags) => [...new Set(tags)]);

export const CreateCompanyRequest = z
  .strictObject({
    name: Name,
    domain: DomainName.optional(),
    website: Website.optional(),
    industry: Industry.optional(),
    size: CompanySize.optional(),
    annualRevenue: Money.optional(),
    address: Address.optional(),
    tags: Tags.optional(),
    ownerId: UserId.optional().meta({
      description: 'Owner; defaults to the caller. Only admins and managers may name someone else.',
    }),
  })
  .meta({ id: 'CreateCompanyRequest' });
export type CreateCompanyRequest = z.infer<typeof CreateCompanyRequest>;

/** JSON merge patch (RFC 7396): absent = unchanged, null = cleared, arrays and objects replace. */
export const UpdateCompanyRequest = z
  .strictObject({
    name: Name.optional(),
    domain: DomainName.nullable().optional(),
    website: Website.nullable().optional(),
    industry: Industry.nullable().optional(),
    size: CompanySize.nullable().optional(),
    annualRevenue: Money.nullable().optional(),
    address: Address.nullable().optional(),
    tags: Tags.optional(),
    ownerId: UserId.nullable().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'Send at least one field to change' })
  .meta({ id: 'UpdateCompanyRequest', minProperties: 1 });
export type UpdateCompanyRequest = z.infer<typeof UpdateCompanyRequest>;

export const Company = z
  .strictObject({
    id: Ulid.meta({ example: '01JDQ3Z7YB8V5X1G6N2K4M9C0M' }),
    name: Name,
    domain: StoredDomainName.optional(),
    website: Website.optional(),
    industry: Industry.optional(),
    size: CompanySize.optional(),
    annualRevenue: Money.optional(),
    address: Address.optional(),
    tags: z.array(Tag).max(MAX_COMPANY_TAGS),
    ownerId: UserId.optional(),
    ...versionedRecordFields,
  })
  .meta({ id: 'Company' });
export type Company = z.infer<typeof Company>;
