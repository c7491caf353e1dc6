import type { Node } from 'constructs';
import { CORS } from '#shared/api/cors';
import { API_THROTTLING } from '#shared/api/limits';
import { CAMPAIGN_SENDER_TIMEOUT_SECONDS } from '#shared/domain/campaign-progress';
import { assertValidConversionWindow, MAX_CONVERSION_WINDOW_DAYS } from '#shared/domain/conversion-window';
import { RECIPIENTS_PER_MESSAGE } from '#shared/messaging/campaign-send-queue';

/**
 * Deployment settings read from CDK context (`cdk.json`, or `cdk deploy -c key=value`). Every key
 * has a default that synthesizes offline, so `npm run synth` needs no flags.
 */
export interface AppSettings {
  /** Name of the custom EventBridge bus. */
  eventBusName: string;
  /** Sender of every e-mail (`Name <address>` or a bare address); its address or domain must be verified in SES. */
  emailFrom: string;
  /** Postal address printed in marketing mail; the functions' own default applies when unset. */
  senderPostalAddress?: string;
  /** Base URL of links in e-mails; defaults to the HTTP API's URL. */
  publicBaseUrl?: string;
  /** Origins the SPA is served from: CORS allow-list and Cognito callback/logout URLs. */
  spaOrigins: string[];
  /** Cognito managed-login domain prefix; defaults to `cirrus-crm-<account id>`. */
  authDomainPrefix?: string;
  /** Default stage throttling of the HTTP API (requests per second, burst). */
  apiRateLimit: number;
  apiBurstLimit: number;
  /** Lifecycle thresholds: orders that make a customer loyal; days without a purchase to at-risk and churned. */
  loyalMinOrders?: number;
  atRiskAfterDays?: number;
  churnedAfterDays?: number;
  /** The account's SES maximum send rate (messages per second): campaigns never send faster. */
  sesMaxSendRate: number;
  /** Days after a campaign click in which a purchase is its conversion (1..90); the functions default to 7. */
  conversionWindowDays?: number;
  /** Campaign senders running at once (the send queue's maximum concurrency, 2..1000); each paces at rate / this. */
  campaignSenderConcurrency: number;
}

export const DEFAULT_SETTINGS = {
  eventBusName: 'cirrus-crm',
  emailFrom: 'hello@example.com',
  /** The SPA's local dev servers, as the local runtime allows them; a deployment sets its own. */
  spaOrigins: CORS.allowOrigins,
  apiRateLimit: API_THROTTLING.rateLimit,
  apiBurstLimit: API_THROTTLING.burstLimit,
  /** A new account's production quota is 14 per second; set yours (`aws sesv2 get-account`). */
  sesMaxSendRate: 14,
  campaignSenderConcurrency: 2,
} as const;

const text = (node: Node, key: string): string | undefined => {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context value ${key} must be a string`);
  return value;
};

/** `-c key=a,b` arrives as a string, cdk.json may hold a JSON array: accept both. */
const list = (node: Node, key: string): string[] | undefined => {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  const items = (Array.isArray(value) ? value : String(value).split(','))
    .map((item) => String(item).trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
};

const positiveNumber = (node: Node, key: string): number | undefined => {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`Context value ${key} must be a positive number`);
  return number;
};

/** Reads the settings from the context of `node` (normally the App's node). */
export const readAppSettings = (node: Node): AppSettings => ({
  eventBusName: text(node, 'eventBusName') ?? DEFAULT_SETTINGS.eventBusName,
  emailFrom: text(node, 'emailFrom') ?? DEFAULT_SETTINGS.emailFrom,
  senderPostalAddress: text(node, 'senderPostalAddress'),
  publicBaseUrl: text(node, 'publicBaseUrl'),
  spaOrigins: list(node, 'spaOrigins') ?? [...DEFAULT_SETTINGS.spaOrigins],
  authDomainPrefix: text(node, 'authDomainPrefix'),
  apiRateLimit: positiveNumber(node, 'apiRateLimit') ?? DEFAULT_SETTINGS.apiRateLimit,
  apiBurstLimit: positiveNumber(node, 'apiBurstLimit') ?? DEFAULT_SETTINGS.apiBurstLimit,
  loyalMinOrders: positiveNumber(node, 'loyalMinOrders'),
  atRiskAfterDays: positiveNumber(node, 'atRiskAfterDays'),
  churnedAfterDays: positiveNumber(node, 'churnedAfterDays'),
  sesMaxSendRate: sendRate(node),
  campaignSenderConcurrency: senderConcurrency(node, sendRate(node)),
  conversionWindowDays: conversionWindow(node),
});

/** Checked here so a bad value fails the synth, not the first purchase after a deployment. */
const conversionWindow = (node: Node): number | undefined => {
  const value = positiveNumber(node, 'conversionWindowDays');
  if (value === undefined) return undefined;
  try {
    return assertValidConversionWindow(value);
  } catch {
    throw new Error(
      `Context value conversionWindowDays must be a whole number of days from 1 to ${MAX_CONVERSION_WINDOW_DAYS}`,
    );
  }
};

const sendRate = (node: Node): number =>
  positiveNumber(node, 'sesMaxSendRate') ?? DEFAULT_SETTINGS.sesMaxSendRate;

/**
 * Lambda's SQS event source takes a maximum concurrency of 2..1000; and each sender, pacing at
 * sesMaxSendRate / concurrency, must mail a message of 50 well within its 5 minutes (a minute to
 * spare), or its recipients would wait for redeliveries.
 */
const senderConcurrency = (node: Node, sesMaxSendRate: number): number => {
  const value =
    positiveNumber(node, 'campaignSenderConcurrency') ?? DEFAULT_SETTINGS.campaignSenderConcurrency;
  if (!Number.isInteger(value) || value < 2 || value > 1000) {
    throw new Error('Context value campaignSenderConcurrency must be an integer from 2 to 1000');
  }
  const most = Math.floor((sesMaxSendRate * (CAMPAIGN_SENDER_TIMEOUT_SECONDS - 60)) / RECIPIENTS_PER_MESSAGE);
  if (value > most) {
    throw new Error(
      `Context value campaignSenderConcurrency must be at most ${most} at sesMaxSendRate ${sesMaxSendRate}: ` +
        `each sender must mail ${RECIPIENTS_PER_MESSAGE} recipients within ${CAMPAIGN_SENDER_TIMEOUT_SECONDS - 60} s`,
    );
  }
  return value;
};

/**
 * The bare address of a sender such as `Cirrus CRM <hello@example.com>`, and its domain: SES
 * authorizes a send against the identity of either, whichever was verified.
 */
export const senderIdentities = (emailFrom: string): { address: string; domain: string } => {
  const address = (/<([^<>]+)>\s*$/.exec(emailFrom)?.[1] ?? emailFrom).trim();
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1)
    throw new Error(`emailFrom "${emailFrom}" holds no e-mail address`);
  return { address, domain: address.slice(at + 1) };
};
