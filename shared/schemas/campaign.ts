import * as z from 'zod';
import { isRealWallTime, isTimeZone } from '#shared/domain/zoned-time';
import { Currency, singleLine, Timestamp, Ulid, versionedRecordFields } from './common.ts';
import { EmailAddress } from './customer.ts';

/** E-mail campaigns: what marketing schedules, and when. */

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const;
export const CampaignStatus = z.enum(CAMPAIGN_STATUSES).meta({
  id: 'CampaignStatus',
  description: 'draft → scheduled → sending → sent, or cancelled before sending',
});
export type CampaignStatus = z.infer<typeof CampaignStatus>;

export const WallTime = z
  .string()
  .max(19)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'Must be a local date and time such as 2026-12-01T09:00')
  .refine(isRealWallTime, 'Not a real date')
  .meta({ description: 'Local date and time in `timeZone`, without offset', example: '2026-12-01T09:00' });

export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_+\-/]+$/, 'Must be an IANA time zone such as Europe/Paris')
  .refine(isTimeZone, 'Unknown time zone')
  .meta({
    description: 'IANA time zone; stored with its IANA capitals (`europe/paris` becomes `Europe/Paris`)',
    example: 'Europe/Paris',
  });

export const ScheduleCampaignRequest = z
  .strictObject({ sendAt: WallTime, timeZone: TimeZone })
  .meta({ id: 'ScheduleCampaignRequest' });
export type ScheduleCampaignRequest = z.infer<typeof ScheduleCampaignRequest>;

export const CampaignSchedule = z
  .strictObject({
    sendAt: WallTime,
    timeZone: TimeZone,
    at: Timestamp.meta({ description: 'The same moment in UTC' }),
    scheduleId: z
      .string()
      .max(40)
      .regex(/^[0-9A-HJKMNP-TV-Z]{26}-v\d{1,10}$/)
      .meta({ description: 'This scheduling (a reschedule gets a new one): only it may start the sending' }),
  })
  .meta({ id: 'CampaignSchedule' });

const CampaignName = singleLine(200).meta({ example: 'December newsletter' });

export const CreateCampaignRequest = z
  .strictObject({
    name: CampaignName,
    segmentId: Ulid.meta({ description: 'Who receives it (the marketable members of the segment)' }),
    templateId: Ulid.meta({ description: 'What they receive' }),
  })
  .meta({ id: 'CreateCampaignRequest' });
export type CreateCampaignRequest = z.infer<typeof CreateCampaignRequest>;

export const UpdateCampaignRequest = z
  .strictObject({ name: CampaignName.optional(), segmentId: Ulid.optional(), templateId: Ulid.optional() })
  .refine((value) => Object.keys(value).length > 0, { message: 'Send at least one field to change' })
  .meta({ id: 'UpdateCampaignRequest', minProperties: 1 });
export type UpdateCampaignRequest = z.infer<typeof UpdateCampaignRequest>;

const Count = z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' });

export const CampaignProgress = z
  .strictObject({
    queued: Count.meta({ description: 'Recipients queued from the audience (final once `queueComplete`)' }),
    queueComplete: z.boolean().meta({ description: 'The dispatcher has queued the whole audience' }),
    sent: Count.meta({ description: 'Accepted by SES' }),
    failed: Count.meta({
      description:
        'Refused by SES for good, the template could not be rendered, or whether SES took it is unknown (its answer was lost; never sent again)',
    }),
    skipped: Count.meta({ description: 'Queued, but not mailed at send time (see skippedByReason)' }),
    skippedByReason: z
      .strictObject({
        'no-consent': Count.meta({ description: 'E-mail consent withdrawn since the audience was read' }),
        suppressed: Count.meta({ description: 'The address is on the suppression list' }),
        'no-email': Count.meta({ description: 'The person has no e-mail address any more' }),
        gone: Count.meta({ description: 'Erased, deleted or merged into another person' }),
      })
      .meta({ id: 'CampaignSkipReasons' }),
  })
  .meta({ id: 'CampaignProgress' });

export const CampaignTracking = z
  .strictObject({
    delivered: Count,
    opened: Count.meta({ description: 'Recipients who opened it (each counted once)' }),
    clicked: Count.meta({ description: 'Recipients who clicked a link (each counted once)' }),
    bounced: Count,
    complained: Count,
    unsubscribed: Count,
  })
  .meta({ id: 'CampaignTracking', description: 'From SES events, one count per recipient and kind' });

const AmountPerCurrency = z.strictObject({
  currency: Currency,
  amount: Count.meta({ format: 'int64', description: 'Minor units (cents)' }),
});

export const CampaignResults = z
  .strictObject({
    conversions: Count.meta({ description: 'Purchases made within the attribution window after a click' }),
    revenue: z.array(AmountPerCurrency).max(200).meta({ description: 'Their amounts, per currency' }),
    revenuePerEmail: z
      .array(
        z.strictObject({
          currency: Currency,
          amount: z.number().min(0).meta({ description: 'Minor units per sent e-mail (may be fractional)' }),
        }),
      )
      .max(200),
  })
  .meta({ id: 'CampaignResults' });

export const CampaignReport = z
  .strictObject({ progress: CampaignProgress, tracking: CampaignTracking, results: CampaignResults })
  .meta({ id: 'CampaignReport' });
export type CampaignReport = z.infer<typeof CampaignReport>;

export const Campaign = z
  .strictObject({
    id: Ulid,
    name: CampaignName,
    segmentId: Ulid,
    templateId: Ulid,
    status: CampaignStatus,
    schedule: CampaignSchedule.optional(),
    startedAt: Timestamp.optional().meta({ description: 'When sending started' }),
    completedAt: Timestamp.optional().meta({ description: 'When every queued recipient had an outcome' }),
    cancelledAt: Timestamp.optional(),
    report: CampaignReport.optional().meta({
      description: 'Progress, tracking and results (only on `GET /campaigns/{id}` once sending started)',
    }),
    ...versionedRecordFields,
  })
  .meta({ id: 'Campaign' });
export type Campaign = z.infer<typeof Campaign>;

export const CampaignTestRequest = z
  .strictObject({
    emails: z
      .array(EmailAddress)
      .min(1)
      .max(5)
      .refine((emails) => new Set(emails).size === emails.length, 'Each address once')
      .meta({ description: 'Where the test goes (at most 5)' }),
    customerId: Ulid.optional().meta({
      description: 'Render as this customer would get it; default: a sample customer',
    }),
  })
  .meta({ id: 'CampaignTestRequest' });
export type CampaignTestRequest = z.infer<typeof CampaignTestRequest>;

export const CampaignTestResult = z
  .strictObject({
    sent: z
      .array(
        z.strictObject({
          email: EmailAddress,
          messageId: z
            .string()
            .max(200)
            .regex(/^[\x21-\x7e]*$/),
        }),
      )
      .max(5),
  })
  .meta({ id: 'CampaignTestResult' });
