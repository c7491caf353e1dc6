import { API_THROTTLING } from '#shared/api/limits';
import {
  assertValidConversionWindow,
  DEFAULT_CONVERSION_WINDOW_DAYS,
} from '#shared/domain/conversion-window';
import {
  assertValidThresholds,
  DEFAULT_THRESHOLDS,
  type LifecycleThresholds,
} from '#shared/domain/lifecycle';

/**
 * Runtime configuration, read once per container from environment variables.
 * The CDK app sets these on every function; the local runtime sets the same names
 * (with endpoint overrides pointing at DynamoDB Local, the SES emulator and the local bus).
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  emailFrom: 'EMAIL_FROM',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  senderPostalAddress: 'SENDER_POSTAL_ADDRESS',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  eventBridgeEndpoint: 'EVENTBRIDGE_ENDPOINT',
  sesEndpoint: 'SES_ENDPOINT',
  idempotencyTtlSeconds: 'IDEMPOTENCY_TTL_SECONDS',
  apiRateLimit: 'API_RATE_LIMIT',
  defaultPhoneCountry: 'DEFAULT_PHONE_COUNTRY',
  schedulerEndpoint: 'SCHEDULER_ENDPOINT',
  campaignScheduleGroup: 'CAMPAIGN_SCHEDULE_GROUP',
  campaignSchedulerRoleArn: 'CAMPAIGN_SCHEDULER_ROLE_ARN',
  campaignDispatcherArn: 'CAMPAIGN_DISPATCHER_ARN',
  campaignScheduleDlqArn: 'CAMPAIGN_SCHEDULE_DLQ_ARN',
  loyalMinOrders: 'LOYAL_MIN_ORDERS',
  atRiskAfterDays: 'AT_RISK_AFTER_DAYS',
  churnedAfterDays: 'CHURNED_AFTER_DAYS',
  sesMaxSendRate: 'SES_MAX_SEND_RATE',
  campaignSendQueueUrl: 'CAMPAIGN_SEND_QUEUE_URL',
  campaignSenderConcurrency: 'CAMPAIGN_SENDER_CONCURRENCY',
  sqsEndpoint: 'SQS_ENDPOINT',
  conversionWindowDays: 'CONVERSION_WINDOW_DAYS',
} as const;

const optional = (name: string): string | undefined => {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
};

const required = (name: string): string => {
  const value = optional(name);
  if (value === undefined) throw new Error(`Missing required environment variable ${name}`);
  return value;
};

/** Values read lazily so that a test can set the environment before the first use. */
export const config = {
  get tableName() {
    return required(ENV.tableName);
  },
  get eventBusName() {
    return required(ENV.eventBusName);
  },
  get emailFrom() {
    return optional(ENV.emailFrom) ?? 'Cirrus CRM <hello@example.com>';
  },
  get sesConfigurationSet() {
    return optional(ENV.sesConfigurationSet);
  },
  get senderPostalAddress() {
    return optional(ENV.senderPostalAddress) ?? 'Cirrus CRM, 1 Example Street, Springfield';
  },
  get publicBaseUrl() {
    return optional(ENV.publicBaseUrl) ?? 'http://localhost:3000';
  },
  /** The API Gateway stage's steady rate limit, announced in X-RateLimit-Limit. */
  get apiRateLimit() {
    return Number(optional(ENV.apiRateLimit) ?? API_THROTTLING.rateLimit);
  },
  /** ISO 3166 country for phone numbers written without a country code. */
  get defaultPhoneCountry() {
    return optional(ENV.defaultPhoneCountry) ?? 'US';
  },
  /** Where campaign schedules go and what they invoke (EventBridge Scheduler; set by the CDK app). */
  get campaignScheduling() {
    return {
      groupName: required(ENV.campaignScheduleGroup),
      roleArn: required(ENV.campaignSchedulerRoleArn),
      dispatcherArn: required(ENV.campaignDispatcherArn),
      deadLetterArn: optional(ENV.campaignScheduleDlqArn),
    };
  },
  /** Recency and frequency thresholds of the lifecycle stages (shared/domain/lifecycle.ts). */
  get lifecycleThresholds(): LifecycleThresholds {
    const number = (name: string, fallback: number) => Number(optional(name) ?? fallback);
    return assertValidThresholds({
      loyalMinOrders: number(ENV.loyalMinOrders, DEFAULT_THRESHOLDS.loyalMinOrders),
      atRiskAfterDays: number(ENV.atRiskAfterDays, DEFAULT_THRESHOLDS.atRiskAfterDays),
      churnedAfterDays: number(ENV.churnedAfterDays, DEFAULT_THRESHOLDS.churnedAfterDays),
    });
  },
  /**
   * The account's SES maximum send rate (messages per second; GetSendQuota's MaxSendRate). Senders
   * share it: each of the CAMPAIGN_SENDER_CONCURRENCY senders paces at rate / concurrency.
   */
  get sesMaxSendRate() {
    const rate = Number(optional(ENV.sesMaxSendRate) ?? 14);
    if (!(rate > 0)) throw new Error(`${ENV.sesMaxSendRate} must be a positive number, not ${rate}`);
    return rate;
  },
  /** At most this many campaign senders run at once (the SQS event source's maximum concurrency). */
  get campaignSenderConcurrency() {
    const concurrency = Number(optional(ENV.campaignSenderConcurrency) ?? 2);
    if (!Number.isInteger(concurrency) || concurrency < 2 || concurrency > 1000) {
      throw new Error(`${ENV.campaignSenderConcurrency} must be an integer from 2 to 1000`);
    }
    return concurrency;
  },
  get campaignSendQueueUrl() {
    return required(ENV.campaignSendQueueUrl);
  },
  /** Days after a campaign click in which a purchase is that campaign's conversion (1..90, default 7). */
  get conversionWindowDays() {
    return assertValidConversionWindow(
      Number(optional(ENV.conversionWindowDays) ?? DEFAULT_CONVERSION_WINDOW_DAYS),
    );
  },
  get idempotencyTtlSeconds() {
    return Number(optional(ENV.idempotencyTtlSeconds) ?? 24 * 60 * 60);
  },
  endpoints: {
    get dynamodb() {
      return optional(ENV.dynamodbEndpoint);
    },
    get eventBridge() {
      return optional(ENV.eventBridgeEndpoint);
    },
    get scheduler() {
      return optional(ENV.schedulerEndpoint);
    },
    get ses() {
      return optional(ENV.sesEndpoint);
    },
    get sqs() {
      return optional(ENV.sqsEndpoint);
    },
  },
};
