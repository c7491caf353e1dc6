import * as z from 'zod';

/**
 * SES sending events as EventBridge delivers them: an EXTERNAL event, published by SES (source
 * `aws.ses`) on the account's default bus through the configuration set's event destination. Not
 * part of our catalog (events/catalog.ts): we do not own its schema, so it parses only the fields
 * we use and lets every other field through.
 *
 * Detail-types and fields as documented in the EventBridge event reference for SES
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ses.html) and the SES event
 * record contents (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html).
 */
export const SES_EVENT_SOURCE = 'aws.ses';

/** The detail-types we consume (SES also sends "Email Sent", "Email Rejected", … which we ignore). */
export const SES_DETAIL_TYPES = {
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Open: 'Email Opened',
  Click: 'Email Clicked',
} as const;
export type SesEventType = keyof typeof SES_DETAIL_TYPES;
export type SesDetailType = (typeof SES_DETAIL_TYPES)[SesEventType];

const Instant = z.iso.datetime({ offset: true });
const Address = z.string().min(1).max(320);

export const SesMail = z.looseObject({
  timestamp: Instant,
  messageId: z.string().min(1).max(200),
  destination: z.array(z.string().max(1000)).max(50).default([]),
  /** Message tags, SES's own (`ses:configuration-set`, …) and those given to SendRawEmail: name → values. */
  tags: z.record(z.string().max(256), z.array(z.string().max(256)).max(10)).default({}),
});

export const SesEventDetail = z.looseObject({
  eventType: z.string().max(50),
  mail: SesMail,
  delivery: z
    .looseObject({ timestamp: Instant, recipients: z.array(Address).max(50).default([]) })
    .optional(),
  bounce: z
    .looseObject({
      bounceType: z.string().max(50),
      bounceSubType: z.string().max(50).optional(),
      bouncedRecipients: z.array(z.looseObject({ emailAddress: Address })).max(50),
      timestamp: Instant,
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: z.array(z.looseObject({ emailAddress: Address })).max(50),
      timestamp: Instant,
    })
    .optional(),
  open: z.looseObject({ timestamp: Instant }).optional(),
  click: z.looseObject({ timestamp: Instant, link: z.string().max(8000) }).optional(),
});
export type SesEventDetail = z.infer<typeof SesEventDetail>;

/** The rule pattern: SES sending events we act on, on the default bus. */
export const SES_TRACKING_PATTERN = {
  source: [SES_EVENT_SOURCE],
  'detail-type': Object.values(SES_DETAIL_TYPES),
};
