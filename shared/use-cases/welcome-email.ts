import { config } from '#shared/config';
import { getCustomer } from '#shared/data/customers';
import { claimDelivery, settleDelivery } from '#shared/data/email-deliveries';
import { hasMarketingConsent } from '#shared/domain/customer';
import { welcomeEmailContent } from '#shared/domain/welcome-email';
import { unsubscribeHeaders, unsubscribeUrl } from '#shared/email/marketing-message';
import { sendEmail } from '#shared/email/send-email';
import { nowIso } from '#shared/ids';
import type { Customer } from '#shared/schemas/customer';
import { unsubscribeTokenFor } from './unsubscribe.ts';

export type WelcomeOutcome = 'sent' | 'already-sent' | 'no-consent';

/**
 * 1. Skip customers without e-mail consent: first on the event's snapshot, then on the stored
 *    customer, since a retry or a DLQ redrive may come days later, after consent was withdrawn
 *    or the customer deleted.
 * 2. Claim the ledger item for this customer's welcome e-mail; someone holds it → done.
 * 3. Send through SES (with List-Unsubscribe + List-Unsubscribe-Post and the link in both bodies)
 *    and record the message id. If SES fails, mark the claim failed and rethrow,
 *    so the event's retry may claim and send again.
 */
export const sendWelcomeEmail = async (snapshot: Customer, eventId: string): Promise<WelcomeOutcome> => {
  if (!hasMarketingConsent(snapshot)) return 'no-consent';
  const customer = await getCustomer(snapshot.id, { consistent: true });
  const to = customer?.emails[0]?.address;
  if (!customer || !hasMarketingConsent(customer) || !to) return 'no-consent';
  if (!(await claimDelivery(customer.id, 'welcome', eventId, nowIso()))) return 'already-sent';
  try {
    const url = unsubscribeUrl(await unsubscribeTokenFor({ customerId: customer.id, kind: 'welcome' }));
    const content = welcomeEmailContent(customer, {
      postalAddress: config.senderPostalAddress,
      unsubscribeUrl: url,
    });
    const headers = { ...unsubscribeHeaders(url), 'X-Cirrus-Message-Kind': 'welcome' };
    const messageId = await sendEmail({ from: config.emailFrom, to, ...content, headers }, [
      { Name: 'messageKind', Value: 'welcome' },
      { Name: 'customerId', Value: customer.id },
    ]);
    await settleDelivery(customer.id, 'welcome', { status: 'sent', messageId }, nowIso());
    return 'sent';
  } catch (error) {
    await settleDelivery(customer.id, 'welcome', { status: 'failed', reason: String(error) }, nowIso());
    throw error;
  }
};
