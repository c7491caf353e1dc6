import { buildEvent } from '#events/catalog';
import * as store from '#shared/data/customers';
import { outboxPut } from '#shared/data/outbox';
import { signingKey } from '#shared/data/signing-keys';
import { timelinePut } from '#shared/data/timeline';
import type { Actor } from '#shared/domain/actor';
import { CustomerMerged, NotFound } from '#shared/domain/errors';
import {
  type MessageKind,
  signUnsubscribeToken,
  type UnsubscribeClaim,
  verifyUnsubscribeToken,
} from '#shared/domain/unsubscribe-token';
import { newId, nowIso } from '#shared/ids';
import type { Unsubscribe, UnsubscribeSource } from '#shared/schemas/activity';
import type { Customer } from '#shared/schemas/customer';
import { updateCustomer } from './customers.ts';
import { eventMeta } from './event-meta.ts';

/**
 * Unsubscribe links: the token for a (customer, campaign or message kind), and what following it
 * does. The link's holder may do exactly one thing, withdraw e-mail marketing consent of the
 * person it names, so the change runs as a system actor with the edit right on customers and a
 * patch fixed here.
 */

/** The token for an e-mail's unsubscribe link (HMAC under the workspace key: no write per e-mail). */
export const unsubscribeTokenFor = async (
  claim: { customerId: string; campaignId: string } | { customerId: string; kind: MessageKind },
): Promise<string> =>
  signUnsubscribeToken(
    {
      customerId: claim.customerId,
      scope: 'campaignId' in claim ? { campaignId: claim.campaignId } : { kind: claim.kind },
    },
    await signingKey('unsubscribe'),
  );

/** A link that was not made by us (or was cut short) is a 404: it names no one. */
export const readUnsubscribeLink = async (token: string): Promise<UnsubscribeClaim> => {
  const claim = verifyUnsubscribeToken(token, await signingKey('unsubscribe'));
  if (!claim) throw new NotFound('This unsubscribe link is not valid. Use the link of a recent e-mail.');
  return claim;
};

const linkHolder = (correlationId: string): Actor => ({
  userId: 'system:unsubscribe-link',
  roles: ['marketing'],
  correlationId,
});

/** The customer an id names now: merged ids lead to the survivor; erased or deleted ones to no one. */
const currentCustomer = async (id: string): Promise<Customer | undefined> => {
  for (let hops = 0; hops < 10; hops++) {
    const customer = await store.getCustomer(id, { consistent: true });
    if (customer) return customer;
    const tombstone = await store.getTombstone(id);
    if (tombstone?.fate !== 'merged') return undefined;
    id = tombstone.mergedInto;
  }
  return undefined;
};

/**
 * `no-one`: the person was erased or deleted, answered with the same page as a success, so a link
 * says nothing about whether its person still exists.
 */
export type UnsubscribeOutcome = 'unsubscribed' | 'already-unsubscribed' | 'no-one';

/**
 * 1. Check the token's MAC (404 if it is not ours).
 * 2. Find the person now (following merges); gone → `no-one`.
 * 3. Withdraw e-mail consent through updateCustomer (so `customer.updated` and every index follow),
 *    with a timeline entry and `customer.unsubscribed` in the same transaction. Consent already
 *    withdrawn (a second click, a race with another click) → no write at all.
 */
export const unsubscribe = async (
  token: string,
  source: UnsubscribeSource,
  correlationId: string,
): Promise<UnsubscribeOutcome> => {
  const claim = await readUnsubscribeLink(token);
  // A merge or erase between our read and our write: look again (the id has a tombstone by then).
  for (let attempt = 1; ; attempt++) {
    try {
      return await withdrawConsent(claim, source, correlationId);
    } catch (error) {
      const gone = error instanceof CustomerMerged || error instanceof NotFound;
      if (!gone || attempt >= 3) throw error;
    }
  }
};

const withdrawConsent = async (
  claim: UnsubscribeClaim,
  source: UnsubscribeSource,
  correlationId: string,
): Promise<UnsubscribeOutcome> => {
  const customer = await currentCustomer(claim.customerId);
  if (!customer) return 'no-one';
  const now = nowIso();
  const entry: Unsubscribe = {
    kind: 'unsubscribe',
    id: newId(),
    customerId: customer.id,
    occurredAt: now,
    channel: 'email',
    source,
    ...('campaignId' in claim.scope
      ? { messageKind: 'campaign' as const, campaignId: claim.scope.campaignId }
      : { messageKind: claim.scope.kind }),
  };
  const actor = linkHolder(correlationId);
  const event = buildEvent('customer.unsubscribed', { entry }, eventMeta(actor, now));
  let withdrawn = false;
  await updateCustomer(
    actor,
    customer.id,
    (current) => {
      withdrawn = current.consent.email.status !== 'denied';
      // An empty consent patch changes nothing: no write, no event.
      return withdrawn ? { consent: { email: { status: 'denied', source } } } : { consent: {} };
    },
    undefined,
    [timelinePut(entry), outboxPut(event)],
  );
  return withdrawn ? 'unsubscribed' : 'already-unsubscribed';
};
