import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port (bind to port 0, read it, release it). Only for child processes
 * that cannot report the port they bound themselves (DynamoDB Local); our own servers listen on 0.
 */
export const freePort = (host = '127.0.0.1'): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('Could not find a free port'))));
    });
  });

/** Resolves when `port` can be bound on `host`, rejects with a readable error when it is taken. */
export const assertPortFree = (port: number, host: string, whatFor: string): Promise<void> =>
  new Promise((resolveFree, reject) => {
    if (port === 0) {
      resolveFree();
      return;
    }
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} (${whatFor}) is already in use: stop what runs there or pick another port`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => server.close(() => resolveFree()));
  });
