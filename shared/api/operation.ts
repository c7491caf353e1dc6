import * as z from 'zod';
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
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
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
    /**
     * `raw`: the body is a file (CSV, JSON lines) handed to the handler as text, not parsed as JSON;
     * `schema` then only documents it.
     */
    body?: {
      schema: z.ZodType;
      contentTypes: readonly string[];
      raw?: boolean;
      /** The body may be left empty (then without a Content-Type): the handler gets `undefined`. */
      optional?: boolean;
    };
  };
  responses: Record<string, ZodOpenApiResponseObject>;
}

/** The request body media type of most operations. */
export const JSON_BODY = ['application/json'] as const;

export const defineOperation = <const T extends Operation>(operation: T): T => operation;

/** Body API Gateway itself answers with (authorizer rejection, throttling, failed function), not our Lambda. */
const gatewayMessage = (message: string) =>
  z
    .strictObject({ message: z.enum([message]) })
    .meta({ description: 'Error body written by API Gateway itself' });

const GATEWAY_MESSAGES = {
  401: 'Unauthorized',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const;

const ERROR_DESCRIPTIONS = {
  400: 'The request is not valid: `errors` names each bad field',
  401: 'Missing or invalid bearer token (answered by the API Gateway JWT authorizer)',
  403: 'Your role may not do this',
  404: 'No such record (or one you may not see)',
  409: 'Conflicts with existing data, or a request with the same Idempotency-Key is in progress',
  412: 'If-Match does not match the current version',
  415: 'Content-Type is not supported',
  422:
    'The Idempotency-Key was already used with a different request body, or a field breaks a rule of the ' +
    'stored data (`errors` names it: an unknown `companyId`, a custom field that does not fit its definition)',
  429: 'Too many requests (API Gateway throttling)',
  500: 'Unexpected error; the request id is in `instance`',
  503: 'Temporarily overloaded (throttling) or the function timed out; retry after Retry-After seconds',
} as const;
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/**
 * The documented error responses of an operation, plus 429, 500 and 503, which any operation can
 * meet. 401 and 429 are written by API Gateway; 500 and 503 by us (problem details) or, when the
 * function itself fails or times out, by API Gateway.
 */
export const errorResponses = (...statuses: ErrorStatus[]): Record<string, ZodOpenApiResponseObject> =>
  Object.fromEntries(
    ([...statuses, 429, 500, 503] as ErrorStatus[]).map((status) => {
      const ours = status !== 401 && status !== 429;
      const gateway = (GATEWAY_MESSAGES as Record<number, string>)[status];
      return [
        String(status),
        {
          description: ERROR_DESCRIPTIONS[status],
          ...(status === 503
            ? { headers: z.strictObject({ 'Retry-After': RetryAfterHeader.optional() }) }
            : {}),
          ...(status === 429 ? { headers: z.strictObject({ 'Retry-After': gatewayRetryAfter() }) } : {}),
          content: {
            ...(ours ? { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } : {}),
            ...(gateway ? { 'application/json': { schema: gatewayMessage(gateway) } } : {}),
          },
        },
      ];
    }),
  );

/**
 * Statuses API Gateway may write itself (authorizer, throttling, body too large, failed or timed-out
 * function): those responses do not carry our rate-limit header.
 */
export const gatewayMayWrite = (status: string) => ['401', '413', '429', '500', '503'].includes(status);

/** Bodies over API Gateway's 10 MB limit never reach the function. */
export const tooLargeResponse = {
  '413': {
    description: 'Request body larger than API Gateway accepts (10 MB)',
    content: { 'application/json': { schema: gatewayMessage('Request Entity Too Large') } },
  },
};

const RetryAfterHeader = z
  .string()
  .max(4)
  .regex(/^\d+$/)
  .meta({ description: 'Seconds to wait before retrying', example: '1' });

/** API Gateway's 429 has no Retry-After; documented (optional) so clients know how to back off. */
const gatewayRetryAfter = () =>
  RetryAfterHeader.optional().meta({
    description: 'Not sent by API Gateway today: when absent, back off about one second and retry',
  });

export const ETagHeader = z
  .string()
  .max(40)
  .regex(/^(W\/)?"\d+"$/)
  .meta({ description: 'Current version of the record, for If-Match', example: '"3"' });
