import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Thrown by readBody when the request is larger than allowed. */
export class BodyTooLargeError extends Error {}

/**
 * Reads a request body up to `limitBytes`. Past the limit it stops buffering (the rest is drained
 * and dropped) and rejects with BodyTooLargeError, so a huge upload cannot exhaust memory.
 */
export const readBody = (request: IncomingMessage, limitBytes: number): Promise<Buffer> =>
  new Promise((resolveBody, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > limitBytes;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () =>
      tooLarge ? reject(new BodyTooLargeError()) : resolveBody(Buffer.concat(chunks)),
    );
    request.on('error', reject);
  });

/** Writes a JSON response. */
export const sendJson = (
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): void => {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
};

/** Listens on `port` (0 = any free port) and resolves with the bound port. */
export const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use on ${host}`) : error),
    );
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });

/** Closes a server, dropping idle keep-alive connections so close() does not wait for them. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolveClose) => {
    if (!server.listening) {
      resolveClose();
      return;
    }
    server.close(() => resolveClose());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
