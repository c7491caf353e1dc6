import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SES_DETAIL_TYPES, SesEventDetail } from '#events/ses-events';
import { headersOf, mailOf, sendingEvents } from '#local/ses-events';
import {
  assertValidConversionWindow,
  DEFAULT_CONVERSION_WINDOW_DAYS,
  withinConversionWindow,
} from '#shared/domain/conversion-window';
import { decideEmailEvent, type EmailEventPlan } from '#shared/domain/email-tracking';
import { derivedId } from '#shared/ids';
import { EmailActivity, TimelineEntry } from '#shared/schemas/activity';

/** The documented SES event examples under events/fixtures/aws.ses (whole EventBridge events). */
const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../events/fixtures/aws.ses/${name}.json`, import.meta.url), 'utf8'),
  ) as {
    'detail-type': string;
    detail: Record<string, unknown> & { mail: { tags: Record<string, string[]> } };
  };

const plan = (name: string, change?: (event: ReturnType<typeof fixture>) => void): EmailEventPlan => {
  const event = fixture(name);
  change?.(event);
  const decision = decideEmailEvent(event['detail-type'], SesEventDetail.parse(event.detail));
  if (!('act' in decision)) throw new Error(`ignored: ${decision.ignore}`);
  return decision.act;
};

describe('SES event → what we do', () => {
  it('parses every documented example, keeping fields we do not use', () => {
    for (const name of [
      'email-delivered',
      'email-bounced-permanent',
      'email-bounced-transient',
      'email-complaint-received',
      'email-opened',
      'email-clicked',
    ]) {
      const event = fixture(name);
      expect(Object.values(SES_DETAIL_TYPES)).toContain(event['detail-type']);
      const detail = SesEventDetail.parse(event.detail);
      expect(detail.mail).toHaveProperty('commonHeaders');
    }
  });

  it('a delivery of a campaign e-mail: counted, with a timeline entry, nothing suppressed', () => {
    const delivered = plan('email-delivered');
    expect(delivered).toMatchObject({
      messageKind: 'campaign',
      event: 'delivered',
      occurredAt: '2026-11-25T09:30:01.500Z',
      campaign: {
        campaignId: '01JDQ60000000000000000CA01',
        customerId: '01JDQ60000000000000000CX01',
        count: true,
        entry: {
          kind: 'email',
          event: 'delivered',
          campaignId: '01JDQ60000000000000000CA01',
          occurredAt: '2026-11-25T09:30:01.500Z',
        },
      },
    });
    expect(delivered.suppress).toBeUndefined();
    expect(() => TimelineEntry.parse(delivered.campaign?.entry)).not.toThrow();
  });

  it.each([
    ['email-opened', 'opened'],
    ['email-clicked', 'clicked'],
  ])('%s is counted as %s, without suppression', (name, event) => {
    const result = plan(name);
    expect(result).toMatchObject({ event, campaign: { count: true } });
    expect(result.suppress).toBeUndefined();
  });

  it('a click keeps its link for the handler, never in the timeline entry', () => {
    const clicked = plan('email-clicked');
    expect(clicked.link).toBe('https://shop.example.com/lamps?utm_campaign=news');
    expect(JSON.stringify(clicked.campaign?.entry)).not.toContain('shop.example.com');
  });

  it('a permanent bounce suppresses its recipients (hard-bounce) and counts', () => {
    expect(plan('email-bounced-permanent')).toMatchObject({
      event: 'bounced',
      bounceType: 'permanent',
      suppress: { reason: 'hard-bounce', emails: ['ada@example.com'] },
      campaign: { count: true, entry: { bounceType: 'permanent' } },
    });
  });

  it('a transient bounce: a timeline entry only, no counter, no suppression', () => {
    const transient = plan('email-bounced-transient');
    expect(transient).toMatchObject({
      event: 'bounced',
      bounceType: 'transient',
      campaign: { count: false },
    });
    expect(transient.suppress).toBeUndefined();
  });

  it('a complaint suppresses (complaint) and counts', () => {
    expect(plan('email-complaint-received')).toMatchObject({
      event: 'complained',
      suppress: { reason: 'complaint', emails: ['ada@example.com'] },
      campaign: { count: true },
    });
  });

  it('bounces and complaints of any kind of e-mail suppress, but only campaign e-mails are tracked', () => {
    const welcome = (event: ReturnType<typeof fixture>) => {
      event.detail.mail.tags = { messageKind: ['welcome'], customerId: ['01JDQ60000000000000000CX01'] };
    };
    const bounced = plan('email-bounced-permanent', welcome);
    expect(bounced.suppress).toEqual({ reason: 'hard-bounce', emails: ['ada@example.com'] });
    expect(bounced.campaign).toBeUndefined();
    expect(plan('email-delivered', welcome).campaign).toBeUndefined();
    const test = plan('email-complaint-received', (event) => {
      event.detail.mail.tags.messageKind = ['campaign-test'];
    });
    expect(test.suppress?.reason).toBe('complaint');
    expect(test.campaign).toBeUndefined();
  });

  it('a bounce without recipients falls back to the destination, as bare addresses', () => {
    const result = plan('email-bounced-permanent', (event) => {
      (event.detail.bounce as { bouncedRecipients: unknown[] }).bouncedRecipients = [];
      (event.detail.mail as unknown as { destination: string[] }).destination = ['Ada <Ada@Example.com>'];
    });
    expect(result.suppress?.emails).toEqual(['Ada@Example.com']);
  });

  it('ignores foreign messages (no tags) and ids that are not ULIDs', () => {
    const event = fixture('email-bounced-permanent');
    event.detail.mail.tags = { 'ses:configuration-set': ['x'] };
    expect(decideEmailEvent(event['detail-type'], SesEventDetail.parse(event.detail))).toEqual({
      ignore: 'foreign message (no messageKind tag)',
    });
    const forged = plan('email-delivered', (e) => {
      e.detail.mail.tags.campaignId = ['../../etc'];
    });
    expect(forged.campaign).toBeUndefined();
  });

  it('ignores event types we do not track', () => {
    const event = fixture('email-delivered');
    event['detail-type'] = 'Email Sent';
    event.detail.eventType = 'Send';
    expect(decideEmailEvent(event['detail-type'], SesEventDetail.parse(event.detail))).toEqual({
      ignore: 'untracked event type Send',
    });
  });

  it('names the same timeline entry for the same message and event, another for another event', () => {
    const first = plan('email-opened').campaign?.entry;
    const again = plan('email-opened').campaign?.entry;
    expect(first?.id).toBe(again?.id);
    expect(first?.id).not.toBe(plan('email-clicked').campaign?.entry.id);
    expect(() => EmailActivity.parse(first)).not.toThrow();
    expect(derivedId('m#opened', '2026-11-25T09:45:00.000Z')).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(derivedId('m#opened', '2026-11-25T09:45:00.000Z')).not.toBe(
      derivedId('m#clicked', '2026-11-25T09:45:00.000Z'),
    );
  });
});

describe('conversion window', () => {
  const click = '2026-11-01T12:00:00.000Z';
  it('attributes a purchase from the click to exactly the window after it, both ends included', () => {
    expect(withinConversionWindow(click, click, 7)).toBe(true);
    expect(withinConversionWindow(click, '2026-11-08T12:00:00.000Z', 7)).toBe(true);
    expect(withinConversionWindow(click, '2026-11-08T12:00:00.001Z', 7)).toBe(false);
    expect(withinConversionWindow(click, '2026-11-01T11:59:59.999Z', 7)).toBe(false);
    expect(withinConversionWindow(click, '2026-11-02T12:00:00.001Z', 1)).toBe(false);
    expect(withinConversionWindow(click, 'not a time', 7)).toBe(false);
  });

  it('defaults to 7 days and accepts 1 to 90 whole days only', () => {
    expect(DEFAULT_CONVERSION_WINDOW_DAYS).toBe(7);
    expect(assertValidConversionWindow(1)).toBe(1);
    expect(assertValidConversionWindow(90)).toBe(90);
    for (const bad of [0, 91, 1.5, Number.NaN, -7]) expect(() => assertValidConversionWindow(bad)).toThrow();
  });
});

describe('local SES events', () => {
  const raw = Buffer.from(
    [
      'From: Cirrus CRM <hello@example.com>',
      'To: "Lovelace, Ada" <ada@example.com>,',
      ' bounce@simulator.amazonses.com, complaint+x@simulator.amazonses.com',
      'Subject: News',
      'X-Cirrus-Campaign-Id: 01JDQ60000000000000000CA01',
      '',
      'Body: not a header',
    ].join('\r\n'),
  );
  const form = new URLSearchParams({
    Action: 'SendRawEmail',
    'RawMessage.Data': raw.toString('base64'),
    ConfigurationSetName: 'local',
    'Tags.member.1.Name': 'messageKind',
    'Tags.member.1.Value': 'campaign',
    'Tags.member.2.Name': 'campaignId',
    'Tags.member.2.Value': '01JDQ60000000000000000CA01',
  });
  const at = new Date('2026-11-25T09:30:00.000Z');

  it('reads unfolded headers and stops at the body', () => {
    const headers = headersOf(raw);
    expect(headers.get('to')).toContain('bounce@simulator.amazonses.com');
    expect(headers.has('body')).toBe(false);
  });

  it('builds the mail object as SES does: destination, tags as name → [value]', () => {
    const mail = mailOf(form, 'msg-1', at);
    expect(mail).toMatchObject({
      messageId: 'msg-1',
      timestamp: '2026-11-25T09:30:00.000Z',
      destination: [
        'ada@example.com',
        'bounce@simulator.amazonses.com',
        'complaint+x@simulator.amazonses.com',
      ],
      tags: {
        messageKind: ['campaign'],
        campaignId: ['01JDQ60000000000000000CA01'],
        'ses:configuration-set': ['local'],
      },
    });
  });

  it('plays the mailbox simulator: delivered except bounce@ (Permanent), complaint@ also complains', () => {
    const events = sendingEvents(mailOf(form, 'msg-1', at), at);
    expect(events.map((event) => event.type)).toEqual(['Delivery', 'Bounce', 'Complaint']);
    for (const { type, detail } of events) {
      const parsed = SesEventDetail.parse(detail);
      const decision = decideEmailEvent(SES_DETAIL_TYPES[type], parsed);
      expect('act' in decision).toBe(true);
    }
    expect(events[0]?.detail).toMatchObject({
      delivery: { recipients: ['ada@example.com', 'complaint+x@simulator.amazonses.com'] },
    });
    expect(events[1]?.detail).toMatchObject({
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com' }],
      },
    });
    expect(events[2]?.detail).toMatchObject({
      complaint: { complainedRecipients: [{ emailAddress: 'complaint+x@simulator.amazonses.com' }] },
    });
  });
});
