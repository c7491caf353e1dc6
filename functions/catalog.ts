import { CAMPAIGN_SENDER_TIMEOUT_SECONDS } from '#shared/domain/campaign-progress';

/**
 * Every Lambda function of the app: the CDK app creates one function per entry, the local runtime
 * loads the same modules, and `npm run bench` bundles each. Paths are relative to the repo root.
 */
export const lambdaFunctions = {
  customersApi: {
    entry: 'functions/api/customers.ts',
    description: 'Customers API: create, read, update, delete, list, search, merge, export, erase',
    kind: 'api',
  },
  customerActivityApi: {
    entry: 'functions/api/customer-activity.ts',
    description: 'Purchases, interactions and the timeline of a customer',
    kind: 'api',
  },
  companiesApi: {
    entry: 'functions/api/companies.ts',
    description: 'Companies API: create, read, update, delete, search, people of a company',
    kind: 'api',
  },
  settingsApi: {
    entry: 'functions/api/settings.ts',
    description: 'Workspace settings API: custom field definitions',
    kind: 'api',
  },
  metaApi: {
    entry: 'functions/api/meta.ts',
    description: 'Health check, OpenAPI document and API docs',
    kind: 'api',
  },
  importsApi: {
    entry: 'functions/api/imports.ts',
    description: 'Customer imports: start one from a file, follow its progress',
    kind: 'api',
  },
  segmentsApi: {
    entry: 'functions/api/segments.ts',
    description: 'Segments (rules, preview from the marketable index) and the suppression list',
    kind: 'api',
  },
  templatesApi: {
    entry: 'functions/api/templates.ts',
    description: 'E-mail templates API: create, read, update, delete, list, preview for a customer',
    kind: 'api',
  },
  unsubscribeApi: {
    entry: 'functions/api/unsubscribe.ts',
    description: 'Public unsubscribe links: confirmation page and RFC 8058 one-click',
    kind: 'api',
  },
  importWorker: {
    entry: 'functions/consumers/import-worker.ts',
    description: 'Imports one chunk of an import job (table stream), each row exactly once',
    kind: 'stream',
  },
  outboxPublisher: {
    entry: 'functions/consumers/outbox-publisher.ts',
    description: 'Publishes outbox items from the table stream to the event bus',
    kind: 'stream',
  },
  welcomeEmail: {
    entry: 'functions/consumers/welcome-email.ts',
    description: 'Sends the welcome e-mail once per consenting new customer',
    kind: 'event',
  },
  customerCleanup: {
    entry: 'functions/consumers/customer-cleanup.ts',
    description: 'Finishes merges (moving records) and erasures (purging records) after the API',
    kind: 'event',
  },
  companyRename: {
    entry: 'functions/consumers/company-rename.ts',
    description: "Copies a renamed company's name to the people linked to it",
    kind: 'event',
  },
  lifecycleReview: {
    entry: 'functions/scheduled/lifecycle-review.ts',
    description: 'Daily: moves buyers without recent purchases to at-risk or churned',
    kind: 'schedule',
    /** 03:15 UTC every day (EventBridge schedule expression). */
    schedule: 'cron(15 3 * * ? *)',
  },
  campaignsApi: {
    entry: 'functions/api/campaigns.ts',
    description: 'Campaigns API: drafts, scheduling and cancelling',
    kind: 'api',
  },
  campaignDispatcher: {
    entry: 'functions/scheduled/campaign-dispatcher.ts',
    description:
      'Starts a campaign when its one-time schedule fires, and queues its audience for the senders',
    kind: 'event',
    /** Reading and queueing a large audience (100,000 ≈ 2,000 SQS messages) outlasts 30 s. */
    timeoutSeconds: 300,
  },
  campaignSender: {
    entry: 'functions/consumers/campaign-sender.ts',
    description: 'Mails queued campaign recipients once each, at its share of the SES send rate',
    kind: 'queue',
    /** A claim older than this has no living holder (shared/domain/campaign-progress.ts). */
    timeoutSeconds: CAMPAIGN_SENDER_TIMEOUT_SECONDS,
  },
  automationsApi: {
    entry: 'functions/api/automations.ts',
    description: 'Automated e-mails API: birthday and anniversary configurations',
    kind: 'api',
  },
  automatedEmails: {
    entry: 'functions/scheduled/automated-emails.ts',
    description: 'Daily: birthday and anniversary e-mails, once per person and year',
    kind: 'schedule',
    /** 09:00 UTC every day: a civil hour for most of Europe and Africa, early in the Americas. */
    schedule: 'cron(0 9 * * ? *)',
  },
  emailEvents: {
    entry: 'functions/consumers/email-events.ts',
    description:
      'SES sending events: campaign delivery/open/click/bounce/complaint counters and timeline, suppression on hard bounces and complaints',
    kind: 'event',
  },
  campaignOutcomes: {
    entry: 'functions/consumers/campaign-outcomes.ts',
    description: 'Campaign results from our events: unsubscribes, and purchases after a click (conversions)',
    kind: 'event',
  },
} as const;

export type LambdaFunctionName = keyof typeof lambdaFunctions;

type FunctionDefinition = (typeof lambdaFunctions)[LambdaFunctionName];

/**
 * How long each kind of function may run, unless its entry sets `timeoutSeconds`. The CDK app,
 * the local runtime and the tests' Lambda contexts all read it here.
 */
const TIMEOUT_SECONDS_BY_KIND: Record<FunctionDefinition['kind'], number> = {
  api: 10,
  stream: 30,
  event: 30,
  // A daily job walks every buyer whose recency crossed a threshold: it gets Lambda's longest run.
  schedule: 900,
  // A queue consumer paces itself at its share of the SES rate: 50 recipients at a slow account's
  // rate take minutes (the queue's visibility timeout is six times this).
  queue: 300,
};

export const timeoutSecondsOf = (name: LambdaFunctionName): number => {
  const definition: FunctionDefinition = lambdaFunctions[name];
  return 'timeoutSeconds' in definition
    ? definition.timeoutSeconds
    : TIMEOUT_SECONDS_BY_KIND[definition.kind];
};
