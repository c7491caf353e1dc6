import { readCustomerPartition } from '#shared/data/customer-record';
import { toDelivery } from '#shared/data/email-deliveries';
import { toEntry } from '#shared/data/timeline';
import type { Actor } from '#shared/domain/actor';
import { assertMayHandlePrivacyRequests } from '#shared/domain/privacy';
import { nowIso } from '#shared/ids';
import { getCustomer } from './customers.ts';

/** Data-protection requests (GDPR): export; erase is in erasure.ts. */

/**
 * 1. Only admins and managers answer data-protection requests.
 * 2. Read every item of the person's partition in one (paginated) Query and return it by kind:
 *    the profile, the timeline (purchases, interactions, lifecycle changes), the e-mails sent.
 */
export const exportCustomer = async (actor: Actor, customerId: string) => {
  assertMayHandlePrivacyRequests(actor);
  const customer = await getCustomer(actor, customerId);
  const items = await readCustomerPartition(customerId);
  return {
    exportedAt: nowIso(),
    customer,
    timeline: items
      .filter((item) => String(item.type).startsWith('timeline-'))
      .map(toEntry)
      .reverse(),
    emailsSent: items.filter((item) => item.type === 'email-delivery').map(toDelivery),
  };
};
