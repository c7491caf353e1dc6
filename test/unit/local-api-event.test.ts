import { describe, expect, it } from 'vitest';
import { buildApiEvent, flattenClaim, type IncomingApiRequest } from '#local/api-event';
import { toHttpResponse } from '#local/api-response';
import { createRouteMatcher } from '#local/route-matcher';

const request = (overrides: Partial<IncomingApiRequest> = {}): IncomingApiRequest => ({
  method: 'GET',
  url: '/customers/01J%20X?limit=10&tag=a&tag=b%2Bc&empty',
  rawHeaders: [
    'Host',
    'localhost:3000',
    'User-Agent',
    'curl/8.5',
    'Accept',
    'application/json',
    'X-Custom',
    'one',
    'x-custom',
    'two',
    'Cookie',
    'a=1; b=2',
    'Cookie',
    'c=3',
  ],
  body: Buffer.alloc(0),
  sourceIp: '10.1.2.3',
  receivedAt: new Date('2020-03-12T19:03:58.123Z'),
  port: 3000,
  ...overrides,
});

describe('buildApiEvent (payload format 2.0)', () => {
  it('builds the event as API Gateway does', () => {
    const event = buildApiEvent({
      request: request(),
      routeKey: 'GET /customers/{id}',
      pathParameters: { id: '01J X' },
      requestId: 'JKJaXmPLvHcESHA=',
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /customers/{id}',
      rawPath: '/customers/01J X',
      rawQueryString: 'limit=10&tag=a&tag=b%2Bc&empty',
      cookies: ['a=1', 'b=2', 'c=3'],
      queryStringParameters: { limit: '10', tag: 'a,b+c', empty: '' },
      pathParameters: { id: '01J X' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'cirruslocl',
        domainName: 'localhost:3000',
        domainPrefix: 'localhost',
        http: {
          method: 'GET',
          path: '/customers/01J X',
          protocol: 'HTTP/1.1',
          sourceIp: '10.1.2.3',
          userAgent: 'curl/8.5',
        },
        requestId: 'JKJaXmPLvHcESHA=',
        routeKey: 'GET /customers/{id}',
        stage: '$default',
        time: '12/Mar/2020:19:03:58 +0000',
        timeEpoch: 1584039838123,
      },
    });
    expect(event.headers).toMatchObject({
      host: 'localhost:3000',
      'user-agent': 'curl/8.5',
      accept: 'application/json',
      'x-custom': 'one,two',
      'x-forwarded-for': '10.1.2.3',
      'x-forwarded-port': '3000',
      'x-forwarded-proto': 'http',
      'x-amzn-trace-id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event).not.toHaveProperty('body');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('leaves out cookies, query and path parameters when there are none', () => {
    const event = buildApiEvent({
      request: request({ url: '/health', rawHeaders: ['Host', 'localhost'] }),
      routeKey: 'GET /health',
      pathParameters: {},
    });
    expect(event.rawQueryString).toBe('');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
  });

  it('passes text bodies as UTF-8 and other bodies as base64', () => {
    const json = buildApiEvent({
      request: request({
        method: 'POST',
        rawHeaders: ['Content-Type', 'application/json; charset=utf-8'],
        body: Buffer.from('{"name":"Zoë"}'),
      }),
      routeKey: 'POST /customers',
      pathParameters: {},
    });
    expect(json).toMatchObject({ body: '{"name":"Zoë"}', isBase64Encoded: false });

    const binary = buildApiEvent({
      request: request({
        method: 'POST',
        rawHeaders: ['Content-Type', 'application/octet-stream'],
        body: Buffer.from([0, 255, 1]),
      }),
      routeKey: 'POST /customers',
      pathParameters: {},
    });
    expect(binary).toMatchObject({ body: 'AP8B', isBase64Encoded: true });

    const form = buildApiEvent({
      request: request({
        method: 'POST',
        rawHeaders: ['Content-Type', 'application/x-www-form-urlencoded'],
        body: Buffer.from('a=1'),
      }),
      routeKey: 'POST /customers',
      pathParameters: {},
    });
    expect(form).toMatchObject({ body: Buffer.from('a=1').toString('base64'), isBase64Encoded: true });
  });

  it('flattens JWT claims to strings, as the API Gateway JWT authorizer does', () => {
    const event = buildApiEvent({
      request: request(),
      routeKey: 'GET /customers/{id}',
      pathParameters: { id: '1' },
      claims: {
        sub: 'dev-admin',
        'cognito:groups': ['admin', 'sales'],
        exp: 1700000000,
        email_verified: true,
        scope: 'aws.cognito.signin.user.admin openid',
      },
    });
    expect(event.requestContext.authorizer).toEqual({
      jwt: {
        claims: {
          sub: 'dev-admin',
          'cognito:groups': '[admin sales]',
          exp: '1700000000',
          email_verified: 'true',
          scope: 'aws.cognito.signin.user.admin openid',
        },
        scopes: ['aws.cognito.signin.user.admin', 'openid'],
      },
    });
  });

  it('flattens single-element arrays too', () => {
    expect(flattenClaim(['admin'])).toBe('[admin]');
    expect(flattenClaim([])).toBe('[]');
  });
});

describe('toHttpResponse', () => {
  it('takes a structured result field by field', () => {
    const response = toHttpResponse({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', ETag: '"1"', 'X-Count': 3 },
      cookies: ['a=1; Path=/', 'b=2'],
      body: '{"id":"1"}',
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({
      'content-type': 'application/json',
      etag: '"1"',
      'x-count': '3',
      'set-cookie': ['a=1; Path=/', 'b=2'],
    });
    expect(response.body.toString()).toBe('{"id":"1"}');
  });

  it('decodes base64 bodies', () => {
    const response = toHttpResponse({ statusCode: 200, body: 'AP8B', isBase64Encoded: true });
    expect([...response.body]).toEqual([0, 255, 1]);
  });

  it('sends any other result as a 200 JSON body', () => {
    for (const result of [{ hello: 'world' }, 'text', [1, 2], null]) {
      const response = toHttpResponse(result);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(JSON.parse(response.body.toString())).toEqual(result);
    }
  });

  it('answers 500 for a malformed result', () => {
    expect(toHttpResponse({ statusCode: 'abc' }).statusCode).toBe(500);
    expect(toHttpResponse({ statusCode: 200, body: { not: 'a string' } }).statusCode).toBe(500);
  });
});

describe('createRouteMatcher', () => {
  const routes = [
    { method: 'GET', path: '/customers', function: 'customersApi', auth: 'jwt' },
    { method: 'GET', path: '/customers/{id}', function: 'customersApi', auth: 'jwt' },
    { method: 'GET', path: '/customers/search', function: 'customersApi', auth: 'jwt' },
    { method: 'GET', path: '/docs/{proxy+}', function: 'metaApi', auth: 'none' },
  ] as const;
  const match = createRouteMatcher(routes);

  it('matches templates and decodes path parameters', () => {
    expect(match('GET', '/customers/abc%2F1')).toEqual({ route: routes[1], pathParameters: { id: 'abc/1' } });
    expect(match('GET', '/docs/a/b.js')?.pathParameters).toEqual({ proxy: 'a/b.js' });
  });

  it('prefers the most specific route', () => {
    expect(match('GET', '/customers/search')?.route).toBe(routes[2]);
  });

  it('misses other methods, extra segments, trailing slashes and empty parameters', () => {
    expect(match('POST', '/customers')).toBeUndefined();
    expect(match('GET', '/customers/1/notes')).toBeUndefined();
    expect(match('GET', '/customers/')).toBeUndefined();
    expect(match('GET', '/nothing')).toBeUndefined();
  });
});
