import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { type LambdaFunctionName, lambdaFunctions } from '#functions/catalog';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The event EventBridge hands a scheduled rule's target. */
export const scheduledEvent = (functionName: string, time = new Date()): ScheduledEvent => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: time.toISOString(),
  region: 'us-east-1',
  resources: [`arn:aws:events:us-east-1:000000000000:rule/${functionName}`],
  detail: {},
});

/**
 * Runs the catalog's scheduled functions locally: once at start (a laptop is rarely up at the
 * cron's hour) and then daily. The cron expressions are AWS's; every schedule here is daily.
 */
export const startScheduledFunctions = (options: {
  invoke: (functionName: LambdaFunctionName, event: ScheduledEvent) => Promise<unknown>;
  log: (line: string) => void;
}) => {
  const scheduled = (Object.keys(lambdaFunctions) as LambdaFunctionName[]).filter(
    (name) => 'schedule' in lambdaFunctions[name],
  );
  const run = (name: LambdaFunctionName) =>
    options.invoke(name, scheduledEvent(name)).catch((error: Error) => {
      options.log(`scheduled ${name} failed: ${error.message}`);
    });
  const first = setTimeout(() => scheduled.forEach(run), 1000);
  const daily = setInterval(() => scheduled.forEach(run), DAY_MS);
  first.unref();
  daily.unref();
  return {
    scheduled,
    stop: async () => {
      clearTimeout(first);
      clearInterval(daily);
    },
  };
};
