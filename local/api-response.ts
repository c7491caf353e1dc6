/** An HTTP response ready to write. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Lambda caps a synchronous response payload at 6 MB; API Gateway then answers 500. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/** What API Gateway itself answers with: `{"message": …}` as application/json. */
export const gatewayResponse = (
  statusCode: number,
  message: string,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify({ message })),
});

export const internalServerError = (): HttpResponse => gatewayResponse(500, 'Internal Server Error');

const isStructured = (result: unknown): result is Record<string, unknown> =>
  typeof result === 'object' && result !== null && !Array.isArray(result) && 'statusCode' in result;

/**
 * Maps a handler's result to the HTTP response the way payload format 2.0 does: a result with
 * `statusCode` is taken field by field (headers, cookies as Set-Cookie, body, base64 when
 * `isBase64Encoded`); anything else is sent as a 200 application/json body. A malformed result
 * is a 500, as in AWS.
 */
export const toHttpResponse = (result: unknown): HttpResponse => {
  let response: HttpResponse;
  if (!isStructured(result)) {
    response = {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(result) ?? 'null'),
    };
  } else {
    const statusCode = Number(result.statusCode);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return internalServerError();
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(
      (result.headers as Record<string, unknown> | undefined) ?? {},
    )) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    }
    if (Array.isArray(result.cookies) && result.cookies.length > 0) {
      headers['set-cookie'] = result.cookies.map(String);
    }
    const body = result.body;
    if (body !== undefined && body !== null && typeof body !== 'string') return internalServerError();
    response = {
      statusCode,
      headers,
      body: Buffer.from(body ?? '', result.isBase64Encoded === true ? 'base64' : 'utf8'),
    };
  }
  return response.body.length > MAX_RESPONSE_BYTES ? internalServerError() : response;
};
