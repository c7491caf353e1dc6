import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { Operation } from '#shared/api/operation';
import { DomainError } from '#shared/domain/errors';
import { logger } from '#shared/observability/logger';
import { PROBLEM_CONTENT_TYPE, type Problem, problem, problemFromDomainError } from './problem.ts';
import type { Reply } from './reply.ts';

/** AWS errors that mean "slow down", not "broken": answered 503 with Retry-After. */
const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalServerError',
  'TimeoutError',
]);

const problemResponse = (
  body: Problem,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: body.status,
  headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  body: JSON.stringify(body),
});

/** Maps any error to its problem response; unexpected ones are logged and answered 500. */
export const errorResponse = (error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 => {
  if (error instanceof DomainError)
    return problemResponse({ ...problemFromDomainError(error), instance: requestId });
  const name = (error as Error)?.name ?? '';
  if (THROTTLING.has(name)) {
    logger.warn('Throttled by AWS', { error: error as Error });
    return problemResponse(
      problem('unavailable', 'The service is busy; retry shortly.', { instance: requestId }),
      {
        'retry-after': '1',
      },
    );
  }
  logger.error('Unexpected error', { error: error as Error });
  return problemResponse(problem('internal', 'Something went wrong on our side.', { instance: requestId }));
};

/**
 * Writes a reply through the schema the operation documents for its status, so a response can
 * never carry a field the OpenAPI document does not promise.
 */
export const replyResponse = (operation: Operation, reply: Reply): APIGatewayProxyStructuredResultV2 => {
  const documented = operation.responses[String(reply.status)];
  if (!documented) throw new Error(`${operation.operationId} does not document status ${reply.status}`);
  const headers = { ...reply.headers };
  if (reply.body === undefined) return { statusCode: reply.status, headers };
  const [contentType, media] = Object.entries(documented.content ?? {})[0] ?? [];
  const schema = media?.schema;
  if (contentType === 'application/json') {
    const body = schema instanceof z.ZodType ? schema.parse(reply.body) : reply.body;
    return {
      statusCode: reply.status,
      headers: { 'content-type': contentType, ...headers },
      body: JSON.stringify(body),
    };
  }
  return {
    statusCode: reply.status,
    headers: { 'content-type': contentType ?? 'text/plain', ...headers },
    body: String(reply.body),
  };
};
