import { EVENT_SOURCE } from './catalog.ts';
import { SES_TRACKING_PATTERN } from './ses-events.ts';

/**
 * EventBridge rules: which events reach which consumer. The CDK app turns each entry into a rule
 * on the bus (with retry policy and DLQ); the local bus matches events against the same patterns,
 * so both run one routing table.
 *
 * `target` names a consumer function in functions/catalog.ts.
 */
export interface RuleDefinition {
  /** PascalCase, unique; becomes the rule's construct id. */
  name: string;
  description: string;
  target: 'welcomeEmail' | 'customerCleanup' | 'companyRename' | 'emailEvents' | 'campaignOutcomes';
  /**
   * `default`: the account's default bus, where AWS services (SES) publish; otherwise our own bus.
   */
  bus?: 'default';
  /** An EventBridge event pattern (the subset the local matcher supports: see local/event-pattern.ts). */
  pattern: Record<string, unknown>;
}

export const rules: readonly RuleDefinition[] = [
  {
    name: 'WelcomeEmailOnCustomerCreated',
    description: 'Sends the welcome e-mail to a new customer who consented to e-mail',
    target: 'welcomeEmail',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['customer.created'],
      detail: { data: { customer: { consent: { email: { status: ['granted'] } } } } },
    },
  },
  {
    name: 'CustomerCleanup',
    description: "Finishes moving a merged customer's records, and purging an erased one's",
    target: 'customerCleanup',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['customer.merged', 'customer.erased'] },
  },
  {
    name: 'CompanyNameToPeople',
    description: "Copies a renamed company's name to its people's display name",
    target: 'companyRename',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['company.updated'],
      detail: { data: { changedFields: ['name'] } },
    },
  },
  {
    name: 'EmailEventsFromSes',
    description:
      "SES deliveries, bounces, complaints, opens and clicks of our e-mails (configuration set's events)",
    target: 'emailEvents',
    bus: 'default',
    pattern: SES_TRACKING_PATTERN,
  },
  {
    name: 'CampaignConversionOnPurchase',
    description: 'Attributes a purchase to the campaign e-mail its buyer clicked last, within the window',
    target: 'campaignOutcomes',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['purchase.recorded'] },
  },
  {
    name: 'CampaignUnsubscribeCount',
    description: "Counts an unsubscribe through a campaign e-mail's link in the campaign's results",
    target: 'campaignOutcomes',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': ['customer.unsubscribed'],
      detail: { data: { entry: { campaignId: [{ exists: true }] } } },
    },
  },
];
