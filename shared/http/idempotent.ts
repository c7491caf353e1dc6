import type { Operation } from '#shared/api/operation';
import { runOnce } from '#shared/data/idempotency';
import type { ApiRequest } from '#shared/middleware/http-api';
import type { Reply } from './reply.ts';

/**
 * A creating operation made safe to retry. The idempotency record keeps `record` (ids, never
 * personal data: a GDPR erase cannot reach inside Powertools' records), and a repeat is answered
 * by `replay` from it, with the resource as it is now.
 */
export interface IdempotentWork<R extends object> {
  run: () => Promise<{ record: R; reply: Reply }>;
  replay: (record: R) => Promise<Reply>;
}

/**
 * Runs a creating operation at most once per Idempotency-Key (scoped to the caller and the
 * operation): a repeat gets the reply `replay` builds from the first run's record. Without the
 * header the work simply runs.
 */
export const onceForIdempotencyKey = async <R extends object>(
  request: Pick<ApiRequest<Operation>, 'actor' | 'lambdaContext' | 'rawEvent'> & {
    headers: { 'Idempotency-Key'?: string };
    body: unknown;
  },
  work: IdempotentWork<R>,
): Promise<Reply> => {
  const key = request.headers['Idempotency-Key'];
  if (key === undefined) return (await work.run()).reply;
  let firstReply: Reply | undefined;
  const record = await runOnce(
    {
      userId: request.actor.userId,
      operationId: request.rawEvent.routeKey,
      key,
      payload: request.body ?? null,
      lambdaContext: request.lambdaContext,
    },
    async () => {
      const done = await work.run();
      firstReply = done.reply;
      return done.record;
    },
  );
  return firstReply ?? work.replay(record);
};
