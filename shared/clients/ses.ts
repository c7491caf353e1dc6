import { SESClient } from '@aws-sdk/client-ses';
import { config } from '#shared/config';

/** SES v1 client: SendRawEmail lets us set every header (List-Unsubscribe) and works with the emulator. */
export const ses = new SESClient({ endpoint: config.endpoints.ses, maxAttempts: 5 });
