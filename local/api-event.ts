import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './aws-local.ts';

/** API id in every local event (a real one is 10 lower-case alphanumerics). */
export const LOCAL_API_ID = 'cirruslocl';

/** The incoming HTTP request, as much of it as API Gateway uses. */
export interface IncomingApiRequest {
  method: string;
  /** Path and query exactly as received, e.g. `/customers?limit=10&tag=a&tag=b`. */
  url: string;
  /** Node's `rawHeaders`: name, value, name, value… (keeps repeated headers). */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  protocol?: string;
  /** When the request arrived. */
  receivedAt?: Date;
  /** Set by the caller: X-Forwarded-Port. */
  port?: number;
}

export interface ApiEventInput {
  request: IncomingApiRequest;
  routeKey: string;
  pathParameters: Record<string, string>;
  /** Verified token claims on `auth: 'jwt'` routes; absent on public routes. */
  claims?: Record<string, unknown>;
  requestId?: string;
}

/** The payload API Gateway builds; on public routes `authorizer` is absent. */
export type ApiEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & {
  requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & {
    authorizer?: APIGatewayProxyEventV2WithJWTAuthorizer['requestContext']['authorizer'];
  };
};

/**
 * API Gateway passes bodies of these media types as text and base64-encodes every other one
 * (form posts and uploads included, and bodies without a Content-Type).
 */
const isTextMediaType = (contentType: string | undefined): boolean => {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType) return false;
  return (
    mediaType.startsWith('text/') ||
    /^application\/([\w.-]+\+)?(json|xml)$/.test(mediaType) ||
    /^application\/(javascript|ecmascript|yaml|x-yaml|graphql)$/.test(mediaType)
  );
};

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** API Gateway's request id format: 16 base64 characters ending in `=`. */
export const newRequestId = (): string => randomBytes(11).toString('base64');

/** CLF-style time, as in `requestContext.time`: `12/Mar/2020:19:03:58 +0000`. */
const clfTime = (date: Date): string => {
  // toUTCString(): `Thu, 12 Mar 2020 19:03:58 GMT`
  const [, day, month, year, time] = date.toUTCString().split(' ');
  return `${day}/${month}/${year}:${time} +0000`;
};

/**
 * JWT authorizer claims reach the Lambda flattened to strings: numbers and booleans as text,
 * arrays as `[a b]` (so `cognito:groups` arrives as "[admin sales]"). Handlers must parse them
 * the same way locally as in AWS.
 */
export const flattenClaim = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(flattenClaim).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => `${key}:${flattenClaim(item)}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
};

const queryParameters = (rawQueryString: string): Record<string, string> | undefined => {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const name = decode(separator < 0 ? pair : pair.slice(0, separator));
    const value = separator < 0 ? '' : decode(pair.slice(separator + 1));
    // Repeated names are joined with commas (payload 2.0 has no multi-value fields).
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
};

/** Lower-cased header names, repeated headers joined with commas, cookies moved to `cookies`. */
const headerFields = (
  rawHeaders: readonly string[],
): { headers: Record<string, string>; cookies: string[] } => {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    const value = rawHeaders[index + 1] as string;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
};

/**
 * Builds the HTTP API payload format 2.0 event for a request, field by field as API Gateway does:
 * optional fields (cookies, queryStringParameters, pathParameters, body, authorizer) are absent
 * rather than empty, and API Gateway's own headers (x-forwarded-*, x-amzn-trace-id) are added.
 */
export const buildApiEvent = ({
  request,
  routeKey,
  pathParameters,
  claims,
  requestId,
}: ApiEventInput): ApiEvent => {
  const receivedAt = request.receivedAt ?? new Date();
  const queryStart = request.url.indexOf('?');
  const encodedPath = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? '' : request.url.slice(queryStart + 1);
  // HTTP APIs hand the Lambda the path already percent-decoded.
  const path = decode(encodedPath);
  const { headers, cookies } = headerFields(request.rawHeaders);
  const host = headers.host ?? 'localhost';
  const epochSeconds = Math.floor(receivedAt.getTime() / 1000);
  Object.assign(headers, {
    'x-forwarded-for': headers['x-forwarded-for']
      ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
      : request.sourceIp,
    'x-forwarded-port': String(request.port ?? 80),
    'x-forwarded-proto': 'http',
    'x-amzn-trace-id': `Root=1-${epochSeconds.toString(16)}-${randomBytes(12).toString('hex')}`,
  });
  const hasBody = request.body.length > 0;
  const base64 = hasBody && !isTextMediaType(headers['content-type']);
  const queryStringParameters = queryParameters(rawQueryString);

  const event: ApiEvent = {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      ...(claims
        ? {
            authorizer: {
              jwt: {
                claims: Object.fromEntries(
                  Object.entries(claims).map(([name, value]) => [name, flattenClaim(value)]),
                ),
                scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : null,
              },
            },
          }
        : {}),
      domainName: host,
      domainPrefix: host.split(':')[0]?.split('.')[0] ?? host,
      http: {
        method: request.method,
        path,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: requestId ?? newRequestId(),
      routeKey,
      stage: '$default',
      time: clfTime(receivedAt),
      timeEpoch: receivedAt.getTime(),
    },
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(hasBody ? { body: request.body.toString(base64 ? 'base64' : 'utf8') } : {}),
    isBase64Encoded: base64,
  };
  return event;
};
