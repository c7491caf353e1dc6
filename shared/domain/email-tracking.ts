import { SES_DETAIL_TYPES, type SesEventDetail, type SesEventType } from '#events/ses-events';
import { derivedId } from '#shared/ids';
import type { EmailActivity, EmailEventName } from '#shared/schemas/activity';
import { ULID_PATTERN } from '#shared/schemas/common';
import type { SuppressionReason } from './suppression-reasons.ts';
import { canonicalInstant } from './time.ts';

/**
 * What an SES sending event means for us, and when a purchase counts as a campaign's conversion.
 * Pure: the use cases (shared/use-cases/email-tracking.ts, campaign-outcomes.ts) do the writes.
 */

const EVENT_OF: Record<SesEventType, EmailEventName> = {
  Delivery: 'delivered',
  Bounce: 'bounced',
  Complaint: 'complained',
  Open: 'opened',
  Click: 'clicked',
};

export type BounceType = 'permanent' | 'transient' | 'undetermined';

export interface EmailEventPlan {
  messageId: string;
  /** The `messageKind` tag we gave SendRawEmail: campaign, campaign-test, welcome… */
  messageKind: string;
  event: EmailEventName;
  occurredAt: string;
  bounceType?: BounceType;
  /** The link of a click (never stored on the timeline: URLs may carry personal data). */
  link?: string;
  /**
   * A campaign e-mail: `count` says whether the event moves the campaign's counter (a transient
   * bounce does not: SES keeps trying, and the address stays valid), `entry` is its timeline entry.
   */
  campaign?: { campaignId: string; customerId: string; count: boolean; entry: EmailActivity };
  /** Addresses to put on the suppression list: a permanent bounce's or a complaint's recipients. */
  suppress?: { emails: string[]; reason: SuppressionReason };
}

export type EmailEventDecision = { act: EmailEventPlan } | { ignore: string };

const tag = (detail: SesEventDetail, name: string): string | undefined => detail.mail.tags[name]?.[0];

/** `Name <a@b>` or `a@b` → `a@b`. */
const bareAddress = (address: string): string => (/<([^<>]+)>\s*$/.exec(address)?.[1] ?? address).trim();

const eventTypeOf = (detailType: string, detail: SesEventDetail): SesEventType | undefined => {
  if (detail.eventType in SES_DETAIL_TYPES) return detail.eventType as SesEventType;
  return (Object.entries(SES_DETAIL_TYPES) as [SesEventType, string][]).find(
    ([, type]) => type === detailType,
  )?.[0];
};

const bounceTypeOf = (value: string): BounceType =>
  value === 'Permanent' ? 'permanent' : value === 'Transient' ? 'transient' : 'undetermined';

/**
 * Maps one SES event (detail-type and detail) to what we do about it:
 * - any message of ours (it has a `messageKind` tag): a permanent bounce or a complaint suppresses
 *   the recipients (hard-bounce / complaint), whatever the kind (campaign, test, welcome);
 * - a campaign e-mail (tags campaignId and customerId, both ULIDs): its counter (first time only,
 *   the data layer guarantees it) and a timeline entry whose id derives from the message and the
 *   event, so a redelivered event names the same entry;
 * - anything else (no tags: not sent by us, or an event type we do not track) is ignored.
 */
export const decideEmailEvent = (detailType: string, detail: SesEventDetail): EmailEventDecision => {
  const type = eventTypeOf(detailType, detail);
  if (!type) return { ignore: `untracked event type ${detail.eventType}` };
  const messageKind = tag(detail, 'messageKind');
  if (!messageKind) return { ignore: 'foreign message (no messageKind tag)' };
  const event = EVENT_OF[type];
  const specific =
    type === 'Delivery'
      ? detail.delivery
      : type === 'Bounce'
        ? detail.bounce
        : type === 'Complaint'
          ? detail.complaint
          : type === 'Open'
            ? detail.open
            : detail.click;
  const occurredAt = canonicalInstant(specific?.timestamp ?? detail.mail.timestamp);
  const bounceType = detail.bounce ? bounceTypeOf(detail.bounce.bounceType) : undefined;
  const fallback = detail.mail.destination.map(bareAddress);
  const suppress =
    type === 'Bounce' && bounceType === 'permanent'
      ? {
          reason: 'hard-bounce' as const,
          emails: detail.bounce?.bouncedRecipients.map((r) => r.emailAddress),
        }
      : type === 'Complaint'
        ? {
            reason: 'complaint' as const,
            emails: detail.complaint?.complainedRecipients.map((r) => r.emailAddress),
          }
        : undefined;

  const plan: EmailEventPlan = {
    messageId: detail.mail.messageId,
    messageKind,
    event,
    occurredAt,
    ...(bounceType ? { bounceType } : {}),
    ...(type === 'Click' && detail.click ? { link: detail.click.link } : {}),
    ...(suppress
      ? {
          suppress: {
            reason: suppress.reason,
            emails: [...new Set((suppress.emails?.length ? suppress.emails : fallback).map(bareAddress))],
          },
        }
      : {}),
  };

  const campaignId = tag(detail, 'campaignId');
  const customerId = tag(detail, 'customerId');
  if (
    messageKind === 'campaign' &&
    campaignId &&
    customerId &&
    ULID_PATTERN.test(campaignId) &&
    ULID_PATTERN.test(customerId)
  ) {
    plan.campaign = {
      campaignId,
      customerId,
      count: type !== 'Bounce' || bounceType === 'permanent',
      entry: {
        kind: 'email',
        id: derivedId(`${plan.messageId}#${event}`, occurredAt),
        customerId,
        occurredAt,
        event,
        messageKind: 'campaign',
        campaignId,
        ...(bounceType ? { bounceType } : {}),
      },
    };
  }
  return { act: plan };
};
