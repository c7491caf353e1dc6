import * as z from 'zod';
import { MESSAGE_KINDS } from '#shared/domain/unsubscribe-token';
import {
  Currency,
  isWellFormedText,
  MinorUnits,
  MULTILINE_TEXT,
  singleLine,
  Timestamp,
  Ulid,
  UserId,
} from './common.ts';
import { LifecycleStage } from './customer.ts';

/** What happened with a customer: purchases, interactions, lifecycle changes (the timeline's entries). */

/** Multi-line text: tabs and line breaks allowed, other control characters not. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.

export const PurchaseItem = z
  .strictObject({
    sku: singleLine(100).optional(),
    name: singleLine(200),
    quantity: z.int().min(1).max(100_000).meta({ format: 'int32' }),
    unitPrice: MinorUnits,
  })
  .meta({ id: 'PurchaseItem' });

export const PURCHASE_CHANNELS = ['online', 'store', 'phone', 'marketplace', 'other'] as const;

const ExternalOrderId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces');
const Direction = z.enum(['inbound', 'outbound', 'internal']);

/** What every timeline entry has: its id, whose it is, and when it happened (its sort order). */
const entryBase = { id: Ulid, customerId: Ulid, occurredAt: Timestamp };

export const RecordPurchaseRequest = z
  .strictObject({
    amount: MinorUnits.meta({ description: 'Amount paid, after discount, in minor units' }),
    currency: Currency,
    items: z.array(PurchaseItem).max(100).default([]),
    discount: MinorUnits.default(0),
    channel: z.enum(PURCHASE_CHANNELS).default('online'),
    purchasedAt: Timestamp.optional().meta({ description: 'When it was bought; defaults to now' }),
    externalOrderId: ExternalOrderId.optional().meta({
      description: 'Your order id: recording the same one again returns the first purchase',
    }),
  })
  .meta({ id: 'RecordPurchaseRequest' });
export type RecordPurchaseRequest = z.infer<typeof RecordPurchaseRequest>;

export const Purchase = z
  .strictObject({
    kind: z.literal('purchase'),
    ...entryBase,
    amount: MinorUnits,
    currency: Currency,
    items: z.array(PurchaseItem).max(100),
    discount: MinorUnits,
    channel: z.enum(PURCHASE_CHANNELS),
    externalOrderId: ExternalOrderId.optional(),
    recordedBy: UserId,
    recordedAt: Timestamp,
  })
  .meta({ id: 'Purchase' });
export type Purchase = z.infer<typeof Purchase>;

export const INTERACTION_KINDS = [
  'call',
  'email',
  'meeting',
  'note',
  'website-visit',
  'social-message',
] as const;
export const INTERACTION_CHANNELS = [
  'phone',
  'email',
  'web',
  'in-person',
  'video',
  'social',
  'chat',
  'other',
] as const;

export const LogInteractionRequest = z
  .strictObject({
    type: z.enum(INTERACTION_KINDS),
    channel: z.enum(INTERACTION_CHANNELS),
    direction: Direction,
    occurredAt: Timestamp.optional().meta({ description: 'When it happened; defaults to now' }),
    summary: z
      .string()
      .trim()
      .min(1)
      .max(4000)
      .regex(MULTILINE_TEXT, 'Must not contain control, zero-width or bidi-override characters')
      .refine(isWellFormedText, 'Must be well-formed Unicode'),
  })
  .meta({ id: 'LogInteractionRequest' });
export type LogInteractionRequest = z.infer<typeof LogInteractionRequest>;

/** What may be corrected in an interaction; when it happened stays (it orders the timeline). */
export const UpdateInteractionRequest = LogInteractionRequest.omit({ occurredAt: true })
  .partial()
  .refine((value) => Object.keys(value).length > 0, { message: 'Send at least one field to change' })
  .meta({ id: 'UpdateInteractionRequest', minProperties: 1 });
export type UpdateInteractionRequest = z.infer<typeof UpdateInteractionRequest>;

export const Interaction = z
  .strictObject({
    kind: z.literal('interaction'),
    ...entryBase,
    type: z.enum(INTERACTION_KINDS),
    channel: z.enum(INTERACTION_CHANNELS),
    direction: Direction,
    summary: z.string().max(4000).regex(MULTILINE_TEXT),
    author: UserId,
    editedBy: UserId.optional(),
    editedAt: Timestamp.optional(),
    revision: z
      .int()
      .min(1)
      .max(2_147_483_647)
      .optional()
      .meta({ format: 'int32', description: 'Number of edits; absent until the first' }),
  })
  .meta({ id: 'Interaction' });
export type Interaction = z.infer<typeof Interaction>;

export const LifecycleChange = z
  .strictObject({
    kind: z.literal('lifecycle-change'),
    ...entryBase,
    from: LifecycleStage,
    to: LifecycleStage,
    reason: z
      .enum(['manual', 'first-purchase', 'repeat-purchases', 'purchased-again', 'inactivity', 'merge'])
      .meta({
        description:
          '`manual`: set by a person; `first-purchase`: a lead or prospect bought; `repeat-purchases`: enough ' +
          'orders to be loyal; `purchased-again`: an at-risk or churned customer bought; `inactivity`: no ' +
          'purchase for the configured number of days; `merge`: two records of the person were merged',
      }),
    changedBy: UserId,
  })
  .meta({ id: 'LifecycleChange', description: 'A change of lifecycle stage, with who and why' });
export type LifecycleChange = z.infer<typeof LifecycleChange>;

export const UNSUBSCRIBE_SOURCES = ['one-click', 'unsubscribe-page'] as const;
export const UnsubscribeSource = z.enum(UNSUBSCRIBE_SOURCES).meta({
  description:
    "`one-click`: the mail client's RFC 8058 one-click POST (or an empty POST); `unsubscribe-page`: the button of " +
    "the confirmation page the e-mail's link opens",
});
export type UnsubscribeSource = z.infer<typeof UnsubscribeSource>;

export const Unsubscribe = z
  .strictObject({
    kind: z.literal('unsubscribe'),
    ...entryBase,
    channel: z.literal('email'),
    source: UnsubscribeSource,
    messageKind: z
      .enum(['campaign', ...MESSAGE_KINDS])
      .meta({ description: 'The kind of e-mail whose link was used' }),
    campaignId: Ulid.optional().meta({ description: 'The campaign whose e-mail carried the link' }),
  })
  .meta({ id: 'Unsubscribe', description: 'E-mail marketing consent withdrawn through an unsubscribe link' });
export type Unsubscribe = z.infer<typeof Unsubscribe>;

/** What SES told us about a campaign e-mail (counted once per recipient and event). */
export const EMAIL_EVENTS = ['delivered', 'opened', 'clicked', 'bounced', 'complained'] as const;
export type EmailEventName = (typeof EMAIL_EVENTS)[number];

export const EmailActivity = z
  .strictObject({
    kind: z.literal('email'),
    ...entryBase,
    event: z.enum(EMAIL_EVENTS).meta({
      description:
        "`delivered`: accepted by the recipient's mail server; `opened`, `clicked`: the first open and click; " +
        '`bounced`: refused (see `bounceType`); `complained`: marked as spam',
    }),
    messageKind: z.literal('campaign').meta({ description: 'The kind of e-mail' }),
    campaignId: Ulid.meta({ description: 'The campaign whose e-mail it was' }),
    bounceType: z.enum(['permanent', 'transient', 'undetermined']).optional().meta({
      description: 'For `bounced`: a permanent bounce suppresses the address, a transient one does not',
    }),
  })
  .meta({
    id: 'EmailActivity',
    description: 'A delivery, first open or click, bounce or complaint of a campaign e-mail',
  });
export type EmailActivity = z.infer<typeof EmailActivity>;

export const TimelineEntry = z
  .discriminatedUnion('kind', [Purchase, Interaction, LifecycleChange, Unsubscribe, EmailActivity])
  .meta({ id: 'TimelineEntry' });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const EmailDelivery = z
  .strictObject({
    kind: z
      .string()
      .max(50)
      .regex(/^[a-z0-9-]+$/),
    status: z.enum(['sending', 'sent', 'failed']),
    claimedAt: Timestamp,
    settledAt: Timestamp.optional(),
  })
  .meta({ id: 'EmailDelivery', description: 'A one-time e-mail sent (or being sent) to the customer' });
