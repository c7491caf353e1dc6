import * as z from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { gatewayMayWrite, type Operation, tooLargeResponse } from './operation.ts';
import { operations } from './routes.ts';

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas: the same schemas
 * that parse requests and serialize responses, so the document is what the code does.
 */
const RateLimitHeader = z.string().max(10).regex(/^\d+$/).meta({
  description: 'Requests per second this API accepts (API Gateway stage throttling)',
  example: '100',
});

const AllowOriginHeader = z
  .string()
  .max(200)
  .regex(/^(\*|https?:\/\/[^\s]+)$/)
  .meta({ description: 'Sent on cross-origin requests from an allowed origin (CORS)' });

/** Headers every response may carry: the rate limit (on responses from our functions) and CORS. */
const withCommonHeaders = (status: string, response: ZodOpenApiResponseObject): ZodOpenApiResponseObject => {
  const common = {
    'X-RateLimit-Limit': gatewayMayWrite(status) ? RateLimitHeader.optional() : RateLimitHeader,
    'Access-Control-Allow-Origin': AllowOriginHeader.optional(),
  };
  const headers =
    response.headers instanceof z.ZodObject ? response.headers.extend(common) : z.strictObject(common);
  return { ...response, headers };
};

const toOperationObject = (operation: Operation): ZodOpenApiOperationObject => ({
  operationId: operation.operationId,
  summary: operation.summary,
  ...(operation.description ? { description: operation.description } : {}),
  tags: [operation.tag],
  // Public: no security requirement. A public write (the RFC 8058 one-click POST, which mail clients
  // send without credentials; the signed link is the capability) states anonymous access as `[{}]`.
  ...(operation.auth === 'none' ? { security: operation.method === 'GET' ? [] : [{}] } : {}),
  requestParams: {
    ...(operation.request.path ? { path: operation.request.path } : {}),
    ...(operation.request.query ? { query: operation.request.query } : {}),
    ...(operation.request.headers ? { header: operation.request.headers } : {}),
  },
  ...(operation.request.body
    ? {
        requestBody: {
          required: !operation.request.body.optional,
          content: Object.fromEntries(
            operation.request.body.contentTypes.map((type) => [
              type,
              { schema: operation.request.body?.schema },
            ]),
          ),
        },
      }
    : {}),
  responses: Object.fromEntries(
    // An operation that documents its own 413 (ours and API Gateway's) keeps it.
    Object.entries({
      ...operation.responses,
      ...(operation.request.body && !operation.responses['413'] ? tooLargeResponse : {}),
    }).map(([status, response]) => [status, withCommonHeaders(status, response)]),
  ),
});

const paths = (): ZodOpenApiPathsObject => {
  const result: ZodOpenApiPathsObject = {};
  for (const operation of operations) {
    result[operation.path] = {
      ...result[operation.path],
      [operation.method.toLowerCase()]: toOperationObject(operation),
    };
  }
  return result;
};

/** Builds the document for the deployment reachable at `serverUrl`. */
export const buildOpenApiDocument = (serverUrl: string) => {
  const local = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(serverUrl);
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Cirrus CRM API',
      version: '0.1.0',
      description:
        'The HTTP API of Cirrus CRM. JSON in camelCase, ULID ids, ISO-8601 UTC timestamps. Errors are RFC 9457 ' +
        'problem details (`application/problem+json`) naming each bad field. Lists use cursor pagination. ' +
        'Creating requests accept an `Idempotency-Key`; updates and deletes honour `If-Match` with the ETag.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      contact: { name: 'Cirrus CRM maintainers', url: 'https://github.com/cirrus-crm/cirrus-crm' },
    },
    servers: [
      {
        url: serverUrl,
        description: local ? 'Local development server (npm start)' : 'Production API of this deployment',
        'x-internal': local,
      },
    ],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'Customers', description: 'People the business sells to and serves' },
      { name: 'Customer activity', description: 'Purchases, interactions and the timeline of a customer' },
      {
        name: 'Companies',
        description: 'Organisations people work for, linked from customers by `companyId`',
      },
      { name: 'Settings', description: "The workspace's custom field definitions" },
      { name: 'Imports', description: 'Bulk import of customers from CSV or JSON lines' },
      {
        name: 'Segments',
        description: 'Rules that pick marketable customers (e-mail consent, not suppressed) for campaigns',
      },
      {
        name: 'Suppressions',
        description: 'Addresses no marketing e-mail goes to (bounces, complaints, by hand)',
      },
      {
        name: 'Templates',
        description: 'E-mail templates (Liquid) for marketing e-mails, with previews for a customer',
      },
      {
        name: 'Unsubscribe',
        description:
          'Public unsubscribe links of marketing e-mails: confirmation page and RFC 8058 one-click',
      },
      { name: 'Meta', description: 'Health, this document and its readable form' },
    ],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A Cognito user pool access token (JWT, validated following RFC8725: signature, issuer, audience, ' +
            'expiry, no "none" algorithm); its groups (admin, manager, sales, marketing, support) are the roles. ' +
            'Locally: `npm run --silent token -- admin`.',
        },
      },
    },
    paths: paths(),
  });
};
