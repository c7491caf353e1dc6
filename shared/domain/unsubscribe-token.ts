import { createHmac, timingSafeEqual } from 'node:crypto';
import { ULID_PATTERN } from '#shared/schemas/common';

/**
 * Unsubscribe tokens: who (customer) and what (a campaign, or a kind of message such as the
 * welcome e-mail), signed with HMAC-SHA256 under the workspace's signing key. Nothing is stored
 * per message: a token is checked by recomputing its MAC, so it cannot be forged without the key,
 * and ids cannot be enumerated (a changed id breaks the MAC). Tokens do not expire: a link in an
 * old e-mail must keep working (CAN-SPAM asks for at least 30 days; we see no reason to stop).
 *
 * Form: `<payload>.<mac>`, both base64url; payload `1|<customerId>|c|<campaignId>` or
 * `1|<customerId>|k|<kind>` (`1` is the format and key version).
 */
export const MESSAGE_KINDS = ['welcome', 'birthday', 'anniversary'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export type UnsubscribeScope = { campaignId: string } | { kind: MessageKind };

export interface UnsubscribeClaim {
  customerId: string;
  scope: UnsubscribeScope;
}

const VERSION = '1';
/** The path parameter's shape: two base64url parts; longest real token is about 110 characters. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,120}\.[A-Za-z0-9_-]{43}$/;

/**
 * The unsubscribe "token" of previews and test e-mails: its link shows a page saying so and
 * unsubscribes no one (the person shown in a preview must not be unsubscribed by a marketer's click).
 */
export const PREVIEW_TOKEN = 'preview';

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();

export const signUnsubscribeToken = (claim: UnsubscribeClaim, key: Buffer): string => {
  const scope = 'campaignId' in claim.scope ? `c|${claim.scope.campaignId}` : `k|${claim.scope.kind}`;
  const payload = Buffer.from(`${VERSION}|${claim.customerId}|${scope}`).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
};

/** The claim a token carries, or undefined when it is malformed or its MAC does not match. */
export const verifyUnsubscribeToken = (token: string, key: Buffer): UnsubscribeClaim | undefined => {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const [payload = '', signature = ''] = token.split('.');
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const [version, customerId = '', type, value = ''] = Buffer.from(payload, 'base64url')
    .toString('utf8')
    .split('|');
  if (version !== VERSION || !ULID_PATTERN.test(customerId)) return undefined;
  if (type === 'c' && ULID_PATTERN.test(value)) return { customerId, scope: { campaignId: value } };
  if (type === 'k' && (MESSAGE_KINDS as readonly string[]).includes(value)) {
    return { customerId, scope: { kind: value as MessageKind } };
  }
  return undefined;
};
