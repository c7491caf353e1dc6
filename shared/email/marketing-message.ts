import type { MessageTag } from '@aws-sdk/client-ses';
import { config } from '#shared/config';
import { type MessageContext, templateVariables } from '#shared/domain/template-variables';
import { type RenderedContent, renderTemplate } from '#shared/domain/templates';
import type { Customer } from '#shared/schemas/customer';
import type { Template } from '#shared/schemas/template';
import { toRawMime } from './raw-message.ts';

/**
 * Marketing e-mails as SES gets them (ARCHITECTURE.md §8): an https `List-Unsubscribe` with
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), a visible unsubscribe link and
 * the sender's postal address in both bodies, and the ids that tie SES events back to the campaign
 * (headers and SES message tags). Consent and suppression are the caller's to check, at send time.
 */

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** `https://api…/unsubscribe/<token>`: the confirmation page (GET) and the one-click target (POST). */
export const unsubscribeUrl = (token: string, baseUrl: string = config.publicBaseUrl): string =>
  `${baseUrl.replace(/\/+$/, '')}/unsubscribe/${token}`;

/** RFC 2369 + RFC 8058 headers; a mailto is offered second, for clients without one-click. */
export const unsubscribeHeaders = (url: string, mailto?: string): Record<string, string> => ({
  'List-Unsubscribe': mailto ? `<${url}>, <mailto:${mailto}?subject=unsubscribe>` : `<${url}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

/** Appends the footer (unsubscribe link and postal address) to both bodies. */
export const withUnsubscribeFooter = (
  content: RenderedContent,
  footer: { unsubscribeUrl: string; postalAddress: string },
): RenderedContent => {
  const html =
    '<p style="color:#666;font-size:12px">' +
    `<a href="${escapeHtml(footer.unsubscribeUrl)}">Unsubscribe</a> from these e-mails.<br>` +
    `${escapeHtml(footer.postalAddress)}</p>`;
  const bodyEnd = content.html.search(/<\/body\s*>/i);
  return {
    subject: content.subject,
    html:
      bodyEnd < 0
        ? `${content.html}${html}`
        : `${content.html.slice(0, bodyEnd)}${html}${content.html.slice(bodyEnd)}`,
    text: `${content.text.replace(/\s+$/, '')}\n\n--\nUnsubscribe: ${footer.unsubscribeUrl}\n${footer.postalAddress}\n`,
  };
};

/** Renders a template for a recipient, footer included: what the preview shows and what is sent. */
export const renderMarketingContent = async (
  template: Pick<Template, 'subject' | 'html' | 'text'>,
  customer: Customer,
  context: MessageContext,
): Promise<RenderedContent> =>
  withUnsubscribeFooter(await renderTemplate(template, templateVariables(customer, context)), context);

export interface MarketingMessageInput {
  template: Pick<Template, 'id' | 'subject' | 'html' | 'text'>;
  customer: Customer;
  campaign: { id: string; name: string };
  /** From `unsubscribeTokenFor({ customerId, campaignId })` (shared/use-cases/unsubscribe.ts). */
  unsubscribeToken: string;
  /** Defaults: EMAIL_FROM, SENDER_POSTAL_ADDRESS, PUBLIC_BASE_URL. */
  from?: string;
  postalAddress?: string;
  publicBaseUrl?: string;
  /** Offered as a second List-Unsubscribe entry when set. */
  unsubscribeMailto?: string;
  /**
   * The SES tag `messageKind` (default `campaign`): an automated e-mail (`birthday`, `anniversary`)
   * passes its kind, so SES events of it are not counted as a campaign's.
   */
  messageKind?: string;
}

export interface MarketingMessage extends RenderedContent {
  /** The RFC 5322 message for SES `SendRawEmail` (`RawMessage.Data`). */
  raw: Uint8Array;
  to: string;
  from: string;
  unsubscribeUrl: string;
  headers: Record<string, string>;
  /** SES message tags (`Tags` of SendRawEmail): they come back on every SES event of the message. */
  tags: MessageTag[];
}

/** Thrown when the customer has no e-mail address to send to. */
export class NoEmailAddress extends Error {
  constructor(customerId: string) {
    super(`Customer ${customerId} has no e-mail address.`);
    this.name = 'NoEmailAddress';
  }
}

/**
 * Builds one campaign e-mail: renders the template for the customer (the template's own Liquid
 * errors are `Unprocessable`), adds the footer and the headers, and composes the raw MIME.
 */
export const buildMarketingMessage = async (input: MarketingMessageInput): Promise<MarketingMessage> => {
  const to = input.customer.emails[0]?.address;
  if (!to) throw new NoEmailAddress(input.customer.id);
  const from = input.from ?? config.emailFrom;
  const url = unsubscribeUrl(input.unsubscribeToken, input.publicBaseUrl);
  const content = await renderMarketingContent(input.template, input.customer, {
    campaign: input.campaign,
    unsubscribeUrl: url,
    postalAddress: input.postalAddress ?? config.senderPostalAddress,
  });
  const headers = {
    ...unsubscribeHeaders(url, input.unsubscribeMailto),
    'X-Cirrus-Campaign-Id': input.campaign.id,
    'X-Cirrus-Customer-Id': input.customer.id,
    'X-Cirrus-Template-Id': input.template.id,
  };
  const raw = await toRawMime({ from, to, ...content, headers });
  const tags: MessageTag[] = [
    { Name: 'messageKind', Value: input.messageKind ?? 'campaign' },
    { Name: 'campaignId', Value: input.campaign.id },
    { Name: 'customerId', Value: input.customer.id },
  ];
  return { ...content, raw, to, from, unsubscribeUrl: url, headers, tags };
};
