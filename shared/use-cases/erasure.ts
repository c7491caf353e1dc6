import { buildEvent } from '#events/catalog';
import { companyLinkWrites } from '#shared/data/companies';
import { purgeCustomerRecord, readCustomerPartition } from '#shared/data/customer-record';
import * as store from '#shared/data/customers';
import { forgetSuppressedAddresses } from '#shared/data/suppressions';
import type { Actor } from '#shared/domain/actor';
import { CustomerMerged, NotFound } from '#shared/domain/errors';
import { assertMayHandlePrivacyRequests } from '#shared/domain/privacy';
import { nowIso } from '#shared/ids';
import { eventMeta } from './event-meta.ts';
import { retryLostRaces } from './retry-races.ts';

type Erasure = store.Tombstone & { fate: 'erased' };

/** What an erase left behind: the id, when and by whom; no personal data. */
export const erasureReceipt = (tombstone: Erasure) => ({
  customerId: tombstone.customerId,
  erasedAt: tombstone.at,
  erasedBy: tombstone.by,
});

/**
 * Step one of an erase: the tombstone, with the profile's deletion when there is one. An id
 * already erased returns its tombstone (erase is idempotent); a merged id redirects (308) to the
 * survivor, who is the same person; a deleted customer's leftovers are erased too.
 */
const eraseProfile = (actor: Actor, id: string): Promise<Erasure> =>
  retryLostRaces(
    async () => {
      const now = nowIso();
      const tombstone: Erasure = { fate: 'erased', customerId: id, at: now, by: actor.userId };
      const event = buildEvent(
        'customer.erased',
        { customerId: id, erasedBy: actor.userId, erasedAt: now },
        eventMeta(actor, now),
      );
      const customer = await store.getCustomer(id, { consistent: true });
      if (customer) {
        // Suppressions of the person's addresses keep only the hash: they stay suppressed, the
        // addresses go (before the profile, so a failed erase leaves no address behind it, and
        // after, for a suppression added meanwhile).
        const addresses = customer.emails.map((e) => e.address);
        await forgetSuppressedAddresses(addresses);
        // The company keeps no trace of the person: its people item goes, its count drops.
        await store.eraseProfile(
          customer,
          tombstone,
          event,
          companyLinkWrites(id, customer.companyId, undefined),
        );
        await forgetSuppressedAddresses(addresses);
        return tombstone;
      }
      const existing = await store.getTombstone(id);
      if (existing?.fate === 'erased') return existing;
      if (existing?.fate === 'merged') throw new CustomerMerged(id, existing.mergedInto);
      if ((await readCustomerPartition(id)).length === 0) throw new NotFound(`No customer ${id}.`);
      await store.recordErasure(tombstone, event);
      return tombstone;
    },
    { versionPinned: false },
  );

/**
 * GDPR erase (admins and managers):
 * 1. Delete the profile with its guards and tags, leave a tombstone, record `customer.erased`;
 *    suppressions of the person's addresses keep only the SHA-256 of the address.
 * 2. Purge everything else of the person (customer-record.ts): timeline, ledger, order guards,
 *    ids merged into them, outbox items carrying their data. The cleanup consumer runs step 2
 *    again on `customer.erased`, so a request that dies midway still completes, and so do index
 *    entries that were a moment behind.
 */
export const eraseCustomer = async (actor: Actor, id: string) => {
  assertMayHandlePrivacyRequests(actor);
  const tombstone = await eraseProfile(actor, id);
  await purgeCustomerRecord(tombstone);
  return erasureReceipt(tombstone);
};

/** Step 2 again (the cleanup consumer, on `customer.erased`). */
export const finishErasure = async (id: string): Promise<void> => {
  const tombstone = await store.getTombstone(id);
  if (tombstone?.fate === 'erased') await purgeCustomerRecord(tombstone);
};
