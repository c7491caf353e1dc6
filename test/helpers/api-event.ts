import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { type LambdaFunctionName, timeoutSecondsOf } from '#functions/catalog';
import { createLambdaContext } from '#local/lambda-context';

/** An API Gateway HTTP API (payload 2.0) event as the JWT authorizer hands it to Lambda. */
export const apiEvent = (options: {
  routeKey: string;
  path?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  claims?: Record<string, string> | null;
}): APIGatewayProxyEventV2WithJWTAuthorizer => {
  const [method = 'GET', template = '/'] = options.routeKey.split(' ');
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath:
      options.path ?? template.replace(/\{(\w+)\}/g, (slot, name) => options.pathParameters?.[name] ?? slot),
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers,
    queryStringParameters: options.query,
    pathParameters: options.pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method,
        path: options.path ?? template,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'req-1',
      routeKey: options.routeKey,
      stage: '$default',
      time: '25/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795600000000,
      authorizer:
        options.claims === null
          ? (undefined as never)
          : {
              principalId: '',
              integrationLatency: 0,
              jwt: {
                claims: options.claims ?? {
                  sub: 'dev-admin',
                  'cognito:groups': '[admin]',
                  token_use: 'access',
                },
                scopes: [],
              },
            },
    },
  };
};

/**
 * A Lambda context for calling a catalog function's handler directly: the local runtime's, with the
 * function's timeout in AWS, so middleware that watches the remaining time behaves as deployed.
 */
export const lambdaContext = (functionName: LambdaFunctionName): Context =>
  createLambdaContext(functionName, { timeoutMs: timeoutSecondsOf(functionName) * 1000 });

export const jsonBody = (result: unknown) => JSON.parse((result as { body: string }).body);
