import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import type { LambdaFunctionName } from '#functions/catalog';
import { CORS, type CorsPolicy } from '#shared/api/cors';
import { routeKey } from '#shared/api/routes';
import { buildApiEvent, newRequestId } from './api-event.ts';
import { gatewayResponse, type HttpResponse, internalServerError, toHttpResponse } from './api-response.ts';
import { verifyDevToken } from './dev-auth.ts';
import { BodyTooLargeError, closeServer, listen, readBody } from './json-http.ts';
import { createRouteMatcher, type Route } from './route-matcher.ts';

/** API Gateway HTTP APIs accept request bodies up to 10 MB. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface HttpServerOptions {
  /** The route table (shared/api/routes.ts `operations`). */
  routes: readonly Route[];
  /** Invokes the route's function with the payload 2.0 event and returns its result. */
  invoke: (functionName: LambdaFunctionName, event: unknown) => Promise<unknown>;
  /** Verifies a bearer token and returns its claims; defaults to the dev-auth key. */
  verifyToken?: (token: string) => Promise<JWTPayload>;
  cors?: CorsPolicy;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  log?: (message: string) => void;
}

export interface LocalHttpServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The headers a CORS-configured HTTP API adds; none for an origin it does not allow. */
const corsHeaders = (
  policy: CorsPolicy,
  methods: readonly string[],
  origin: string | undefined,
  preflight: boolean,
): Record<string, string> => {
  if (!origin || !(policy.allowOrigins.includes(origin) || policy.allowOrigins.includes('*'))) return {};
  const headers: Record<string, string> = {
    'access-control-allow-origin':
      policy.allowOrigins.includes('*') && !policy.allowCredentials ? '*' : origin,
    vary: 'origin',
  };
  if (policy.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  if (preflight) {
    headers['access-control-allow-methods'] = methods.join(',');
    headers['access-control-allow-headers'] = policy.allowHeaders.join(',');
    headers['access-control-max-age'] = String(policy.maxAgeSeconds);
  } else if (policy.exposeHeaders.length > 0) {
    headers['access-control-expose-headers'] = policy.exposeHeaders.join(',');
  }
  return headers;
};

const write = (response: ServerResponse, result: HttpResponse, extraHeaders: Record<string, string>) => {
  // The CORS headers API Gateway adds win over the handler's, as with a CORS-configured HTTP API.
  const headers = { ...result.headers, ...extraHeaders, 'content-length': String(result.body.length) };
  response.writeHead(result.statusCode, headers);
  response.end(result.body);
};

const bearerToken = (header: string | undefined): string | undefined => {
  const token = header?.replace(/^Bearer\s+/i, '').trim();
  return token ? token : undefined;
};

/**
 * The local API Gateway: serves the route table from the same handler modules, with API Gateway's
 * 404 for unknown routes, the JWT authorizer's 401, CORS, the 10 MB body limit and the exact
 * payload 2.0 event, so handlers cannot tell it from AWS.
 */
export const startHttpServer = async (options: HttpServerOptions): Promise<LocalHttpServer> => {
  const match = createRouteMatcher(options.routes);
  const verifyToken = options.verifyToken ?? verifyDevToken;
  const cors = options.cors ?? CORS;
  const methods = [...new Set(options.routes.map((route) => route.method)), 'OPTIONS'];
  const log = options.log ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? 0;

  const handle = async (request: IncomingMessage, requestId: string): Promise<HttpResponse> => {
    const receivedAt = new Date();
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const origin = request.headers.origin;
    if (method === 'OPTIONS') {
      // API Gateway answers preflight itself when CORS is configured.
      return { statusCode: 204, headers: corsHeaders(cors, methods, origin, true), body: Buffer.alloc(0) };
    }
    const matched = match(method, url.split('?')[0] as string);
    if (!matched) {
      request.resume();
      return gatewayResponse(404, 'Not Found');
    }
    let claims: JWTPayload | undefined;
    if (matched.route.auth === 'jwt') {
      const token = bearerToken(request.headers.authorization);
      claims = token ? await verifyToken(token).catch(() => undefined) : undefined;
      if (!claims) {
        request.resume();
        return gatewayResponse(401, 'Unauthorized', { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
    }
    let body: Buffer;
    try {
      body = await readBody(request, MAX_REQUEST_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return gatewayResponse(413, 'Request Entity Too Large');
      throw error;
    }
    const event = buildApiEvent({
      request: {
        method,
        url,
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        protocol: `HTTP/${request.httpVersion}`,
        receivedAt,
        port,
      },
      routeKey: routeKey(matched.route),
      pathParameters: matched.pathParameters,
      claims,
      requestId,
    });
    try {
      return toHttpResponse(await options.invoke(matched.route.function, event));
    } catch (error) {
      log(
        `api: ${matched.route.function} failed on ${method} ${url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return internalServerError();
    }
  };

  const server = createServer((request, response) => {
    const started = Date.now();
    const requestId = newRequestId();
    const preflight = request.method === 'OPTIONS';
    handle(request, requestId)
      .catch((error: unknown) => {
        log(`api: internal error: ${String(error)}`);
        return internalServerError();
      })
      .then((result) => {
        const allowed = preflight ? {} : corsHeaders(cors, methods, request.headers.origin, false);
        write(response, result, { ...allowed, 'apigw-requestid': requestId });
        log(`${request.method} ${request.url} → ${result.statusCode} (${Date.now() - started} ms)`);
      });
  });
  // API Gateway keeps connections alive; closing idle ones promptly lets stop() finish fast.
  server.keepAliveTimeout = 5000;
  port = await listen(server, port, host);
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { url: `http://${displayHost}:${port}`, port, stop: () => closeServer(server) };
};
