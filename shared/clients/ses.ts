import { SESClient } from '@aws-sdk/client-ses';
import { config } from '#shared/config';

/** SES v1 client: SendRawEmail lets us set every header (List-Unsubscribe) and works with the emulator. */
/**
 * No SDK retries: SendRawEmail is not idempotent, and the SDK also retries timeouts and 5xx
 * answers, after which SES may already have sent the message. Throttling, which means SES did not
 * take it, is retried by the callers (withThrottlingBackoff).
 */
export const ses = new SESClient({ endpoint: config.endpoints.ses, maxAttempts: 1 });
