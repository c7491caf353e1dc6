import { config } from '#shared/config';
import { getCustomer } from '#shared/data/customers';
import { claimDelivery } from '#shared/data/email-deliveries';
import { hasMarketingConsent } from '#shared/domain/customer';
import { welcomeEmailContent } from '#shared/domain/welcome-email';
import { unsubscribeHeaders, unsubscribeUrl } from '#shared/email/marketing-message';
import { sendEmail } from '#shared/email/send-email';
import { withThrottlingBackoff } from '#shared/email/send-pace';
import { nowIso } from '#shared/ids';
import type { Customer } from '#shared/schemas/customer';
import { settleSent, settleUnsent } from './email-ledger.ts';
import { unsubscribeTokenFor } from './unsubscribe.ts';

export type WelcomeOutcome = 'sent' | 'already-sent' | 'no-consent';

/**
 * 1. Skip customers without e-mail consent: first on the event's snapshot, then on the stored
 *    customer, since a retry or a DLQ redrive may come days later, after consent was withdrawn
 *    or the customer deleted.
 * 2. Claim the ledger item for this customer's welcome e-mail; someone holds it → done.
 * 3. Send through SES (with List-Unsubscribe + List-Unsubscribe-Post and the link in both bodies)
 *    and record the message id. If SES did not take it, mark the claim failed and rethrow, so the
 *    event's retry may claim and send again; if it may have (a lost answer), the claim stays
 *    `sending` and the retry sends nothing (see email-ledger.ts).
 */
export const sendWelcomeEmail = async (snapshot: Customer, eventId: string): Promise<WelcomeOutcome> => {
  if (!hasMarketingConsent(snapshot)) return 'no-consent';
  const customer = await getCustomer(snapshot.id, { consistent: true });
  const to = customer?.emails[0]?.address;
  if (!customer || !hasMarketingConsent(customer) || !to) return 'no-consent';
  if (!(await claimDelivery(customer.id, 'welcome', eventId, nowIso()))) return 'already-sent';
  let messageId: string;
  try {
    const url = unsubscribeUrl(await unsubscribeTokenFor({ customerId: customer.id, kind: 'welcome' }));
    const content = welcomeEmailContent(customer, {
      postalAddress: config.senderPostalAddress,
      unsubscribeUrl: url,
    });
    const headers = { ...unsubscribeHeaders(url), 'X-Cirrus-Message-Kind': 'welcome' };
    messageId = await withThrottlingBackoff(() =>
      sendEmail({ from: config.emailFrom, to, ...content, headers }, [
        { Name: 'messageKind', Value: 'welcome' },
        { Name: 'customerId', Value: customer.id },
      ]),
    );
  } catch (error) {
    await settleUnsent(customer.id, 'welcome', error);
    throw error;
  }
  await settleSent(customer.id, 'welcome', messageId);
  return 'sent';
};
