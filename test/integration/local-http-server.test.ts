import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signDevToken } from '#local/dev-auth';
import { type LocalHttpServer, startHttpServer } from '#local/http-server';
import type { Route } from '#local/route-matcher';
import { CORS } from '#shared/api/cors';
import { tokenFor } from '../support/tokens.ts';

const routes: Route[] = [
  { method: 'GET', path: '/health', function: 'metaApi', auth: 'none' },
  { method: 'GET', path: '/customers/{id}', function: 'customersApi', auth: 'jwt' },
  { method: 'POST', path: '/customers', function: 'customersApi', auth: 'jwt' },
];

const invocations: { functionName: string; event: Record<string, unknown> }[] = [];
let nextResult: unknown = { ok: true };

let server: LocalHttpServer;

beforeAll(async () => {
  server = await startHttpServer({
    routes,
    port: 0,
    invoke: async (functionName, event) => {
      invocations.push({ functionName, event: event as Record<string, unknown> });
      if (nextResult instanceof Error) throw nextResult;
      return nextResult;
    },
  });
});

afterAll(() => server.stop());

beforeEach(() => {
  invocations.length = 0;
  nextResult = { ok: true };
});

const lastEvent = () =>
  invocations.at(-1)?.event as { requestContext: Record<string, unknown> } & Record<string, unknown>;

describe('local HTTP server (API Gateway)', () => {
  it('invokes the route function and answers a plain result as 200 JSON', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(await response.json()).toEqual({ ok: true });
    expect(invocations[0]?.functionName).toBe('metaApi');
    expect(lastEvent().requestContext).not.toHaveProperty('authorizer');
    expect(lastEvent().requestContext.requestId).toBe(response.headers.get('apigw-requestid'));
  });

  it('answers 404 for an unknown path or method, like API Gateway', async () => {
    for (const [method, path] of [
      ['GET', '/nothing'],
      ['DELETE', '/health'],
      ['GET', '/customers'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
    expect(invocations).toEqual([]);
  });

  it('answers 401 without a valid token on jwt routes', async () => {
    const expired = await signDevToken('admin', { lifetimeSeconds: -60 });
    const forged = `${(await tokenFor('admin')).slice(0, -4)}AAAA`;
    for (const authorization of [undefined, 'Bearer nope', `Bearer ${expired}`, `Bearer ${forged}`]) {
      const response = await fetch(`${server.url}/customers/1`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    }
    expect(invocations).toEqual([]);
  });

  it('passes verified, flattened claims to the handler on jwt routes', async () => {
    const response = await fetch(`${server.url}/customers/01ABC?expand=notes`, {
      headers: { authorization: `Bearer ${await tokenFor('sales')}` },
    });
    expect(response.status).toBe(200);
    const event = lastEvent();
    expect(event).toMatchObject({
      routeKey: 'GET /customers/{id}',
      rawPath: '/customers/01ABC',
      pathParameters: { id: '01ABC' },
      queryStringParameters: { expand: 'notes' },
    });
    expect(event.requestContext.authorizer).toMatchObject({
      jwt: {
        claims: {
          sub: 'dev-sales',
          'cognito:groups': '[sales]',
          username: 'dev-sales',
          token_use: 'access',
          client_id: 'cirrus-local-dev',
          exp: expect.stringMatching(/^\d+$/),
        },
        scopes: ['aws.cognito.signin.user.admin'],
      },
    });
  });

  it('passes the body and writes back a structured result', async () => {
    nextResult = {
      statusCode: 201,
      headers: { 'content-type': 'application/json', location: '/customers/1', etag: '"1"' },
      cookies: ['session=abc; HttpOnly'],
      body: JSON.stringify({ id: '1' }),
    };
    const response = await fetch(`${server.url}/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/customers/1');
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly']);
    expect(await response.json()).toEqual({ id: '1' });
    expect(lastEvent()).toMatchObject({ body: '{"name":"Ada"}', isBase64Encoded: false });
  });

  it('answers 500 when the handler throws', async () => {
    nextResult = new Error('kaboom');
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 413 for bodies over 10 MB', async () => {
    const response = await fetch(`${server.url}/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor('admin')}`, 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(invocations).toEqual([]);
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin', async () => {
      const response = await fetch(`${server.url}/customers`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe(
        'authorization,content-type,idempotency-key,if-match',
      );
      expect(invocations).toEqual([]);
    });

    it('adds allow-origin and expose-headers to responses for allowed origins only', async () => {
      const allowed = await fetch(`${server.url}/health`, { headers: { origin: 'http://localhost:5173' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(allowed.headers.get('access-control-expose-headers')).toBe(CORS.exposeHeaders.join(','));

      const other = await fetch(`${server.url}/health`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
