import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { config } from '#shared/config';

export const eventBridge = new EventBridgeClient({ endpoint: config.endpoints.eventBridge, maxAttempts: 4 });
