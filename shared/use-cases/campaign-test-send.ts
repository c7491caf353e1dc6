import { getCampaign } from '#shared/data/campaigns';
import { isSuppressed } from '#shared/data/suppressions';
import { getTemplate } from '#shared/data/templates';
import type { Actor } from '#shared/domain/actor';
import { assertMayManageCampaigns } from '#shared/domain/campaign';
import { type FieldIssue, NotFound, Unprocessable } from '#shared/domain/errors';
import { SAMPLE_CUSTOMER } from '#shared/domain/template-variables';
import { PREVIEW_TOKEN } from '#shared/domain/unsubscribe-token';
import { buildMarketingMessage } from '#shared/email/marketing-message';
import { sendRawEmail } from '#shared/email/send-email';
import { withThrottlingBackoff } from '#shared/email/send-pace';
import type { CampaignTestRequest } from '#shared/schemas/campaign';
import { previewCustomer } from './templates.ts';

/** A test goes to colleagues, never to an address that bounced or complained (SES reputation). */
const assertNoneSuppressed = async (emails: readonly string[]) => {
  const suppressed = await Promise.all(emails.map((email) => isSuppressed(email)));
  const issues: FieldIssue[] = emails.flatMap((email, index) =>
    suppressed[index]
      ? [{ in: 'body' as const, field: `emails.${index}`, detail: `${email} is on the suppression list` }]
      : [],
  );
  if (issues.length > 0) throw new Unprocessable(issues);
};

/**
 * `POST /campaigns/{id}/test`: the campaign's e-mail as `customerId` (or the sample customer) would
 * get it, sent to the given addresses instead, subject marked `[Test]`. Its unsubscribe link is the
 * preview placeholder (it unsubscribes no one), and its SES tag `messageKind = campaign-test` keeps
 * it out of the campaign's counters.
 */
export const sendCampaignTest = async (actor: Actor, campaignId: string, request: CampaignTestRequest) => {
  assertMayManageCampaigns(actor);
  const campaign = await getCampaign(campaignId);
  if (!campaign) throw new NotFound(`No campaign ${campaignId}.`);
  const template = await getTemplate(campaign.templateId);
  if (!template) {
    throw new Unprocessable([
      { in: 'path', field: 'id', detail: `The campaign's template ${campaign.templateId} is gone` },
    ]);
  }
  await assertNoneSuppressed(request.emails);
  const customer = request.customerId ? await previewCustomer(actor, request.customerId) : SAMPLE_CUSTOMER;
  const sent = [];
  for (const email of request.emails) {
    const message = await buildMarketingMessage({
      template: { ...template, subject: `[Test] ${template.subject}` },
      customer: { ...customer, emails: [{ address: email, label: 'work' }] },
      campaign: { id: campaign.id, name: campaign.name },
      unsubscribeToken: PREVIEW_TOKEN,
    });
    const tags = message.tags.map((tag) =>
      tag.Name === 'messageKind' ? { ...tag, Value: 'campaign-test' } : tag,
    );
    sent.push({ email, messageId: await withThrottlingBackoff(() => sendRawEmail(message.raw, tags)) });
  }
  return { sent };
};
