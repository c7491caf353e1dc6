import type { Operation } from '#shared/api/operation';
import { runOnce } from '#shared/data/idempotency';
import type { ApiRequest } from '#shared/middleware/http-api';
import type { Reply } from './reply.ts';

/**
 * Runs a creating operation at most once per Idempotency-Key (scoped to the caller and the
 * operation): a repeat gets the first reply. Without the header the work simply runs.
 */
export const onceForIdempotencyKey = async (
  request: Pick<ApiRequest<Operation>, 'actor' | 'lambdaContext' | 'rawEvent'> & {
    headers: { 'Idempotency-Key'?: string };
    body: unknown;
  },
  work: () => Promise<Reply>,
): Promise<Reply> => {
  const key = request.headers['Idempotency-Key'];
  if (key === undefined) return work();
  return runOnce(
    {
      userId: request.actor.userId,
      operationId: request.rawEvent.routeKey,
      key,
      payload: request.body ?? null,
      lambdaContext: request.lambdaContext,
    },
    work,
  );
};
