import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '#shared/observability/logger';
import { sendAutomatedEmails } from '#shared/use-cases/automated-emails';

/** Daily schedule target: birthday and anniversary e-mails (shared/use-cases/automated-emails.ts). */
const run = async (event: ScheduledEvent) => {
  // The schedule's own time, so a late or replayed invocation greets the day it was meant for;
  // its id goes on the ledger items it claims.
  const result = await sendAutomatedEmails(event.time, event.id);
  logger.info('Automated e-mails', { ...result });
  for (const [kind, outcome] of Object.entries(result.kinds)) {
    if (outcome.status === 'template-missing') logger.error(`The ${kind} automation's template is gone`);
  }
  // Failed sends are settled `failed`: throwing hands the run to Lambda's retries (then the DLQ),
  // which send only those (everyone else's ledger item is taken).
  if (result.failed > 0) throw new Error(`${result.failed} automated e-mail(s) failed on ${result.day}`);
  return result;
};

export const handler = middy(run).use(injectLambdaContext(logger, { resetKeys: true }));
