import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { config } from '#shared/config';

/** EventBridge Scheduler: one-time schedules that start campaigns (locally: local/scheduler-api.ts). */
export const scheduler = new SchedulerClient({ endpoint: config.endpoints.scheduler, maxAttempts: 5 });
