import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';
import type { LambdaFunctionName } from '#functions/catalog';
import { PROBLEM_CONTENT_TYPE, Problem } from '#shared/http/problem';

/**
 * One API operation: its route, the Lambda function that serves it, its request schemas and its
 * documented responses. The route table (routes.ts) lists them all; the CDK app, the local HTTP
 * server and the OpenAPI document are all derived from it, so they cannot drift apart.
 */
export interface Operation {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway / OpenAPI path template, e.g. `/customers/{id}`. */
  path: string;
  function: LambdaFunctionName;
  /** `jwt`: the API Gateway JWT authorizer must accept the bearer token first. */
  auth: 'none' | 'jwt';
  summary: string;
  description?: string;
  tag: string;
  request: {
    path?: z.ZodObject;
    query?: z.ZodObject;
    headers?: z.ZodObject;
    body?: { schema: z.ZodType; contentTypes: readonly string[] };
  };
  responses: Record<string, ZodOpenApiResponseObject>;
}

export const defineOperation = <const T extends Operation>(operation: T): T => operation;

/** Body API Gateway itself answers with (authorizer rejection, throttling), not our Lambda. */
export const GatewayMessage = z
  .strictObject({ message: z.string().max(200) })
  .meta({ id: 'GatewayMessage', description: 'Error body written by API Gateway itself' });

const ERROR_DESCRIPTIONS = {
  400: 'The request is not valid: `errors` names each bad field',
  401: 'Missing or invalid bearer token (answered by the API Gateway JWT authorizer)',
  403: 'Your role may not do this',
  404: 'No such record (or one you may not see)',
  409: 'Conflicts with existing data, or a request with the same Idempotency-Key is in progress',
  412: 'If-Match does not match the current version',
  415: 'Content-Type is not supported',
  422: 'The Idempotency-Key was already used with a different request body',
  429: 'Too many requests (API Gateway throttling)',
  500: 'Unexpected error; the request id is in `instance`',
  503: 'Temporarily overloaded (database throttling); retry after the Retry-After seconds',
} as const;
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** The documented error responses of an operation (plus 429, 500, 503). 401 and 429 come from API Gateway. */
export const errorResponses = (...statuses: ErrorStatus[]): Record<string, ZodOpenApiResponseObject> =>
  Object.fromEntries(
    ([...statuses, 429, 500, 503] as ErrorStatus[]).map((status) => [
      String(status),
      status === 401 || status === 429
        ? {
            description: ERROR_DESCRIPTIONS[status],
            content: { 'application/json': { schema: GatewayMessage } },
          }
        : {
            description: ERROR_DESCRIPTIONS[status],
            ...(status === 503 ? { headers: z.strictObject({ 'Retry-After': RetryAfterHeader }) } : {}),
            content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } },
          },
    ]),
  );

const RetryAfterHeader = z
  .string()
  .max(4)
  .regex(/^\d+$/)
  .meta({ description: 'Seconds to wait before retrying', example: '1' });

export const ETagHeader = z
  .string()
  .max(40)
  .meta({ description: 'Current version of the record, for If-Match', example: '"3"' });
