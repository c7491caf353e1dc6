import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertPortFree } from './free-port.ts';

export interface SesEmulatorOptions {
  /** Default 8005 (the emulator's own default); 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface SesEmulator {
  /** SES API endpoint for SDK clients (`SES_ENDPOINT`). */
  endpoint: string;
  /** Web UI listing received mail; `GET /store` returns them as JSON, `POST /clear-store` empties it. */
  mailboxUrl: string;
  port: number;
  stop(): Promise<void>;
}

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

/**
 * The package is CommonJS with `exports.default = server`; imported from ESM, Node hands us
 * `module.exports` as the default, so the function sits one `.default` further down (bundlers that
 * honour `__esModule` give it directly). Accept both.
 */
const loadServer = async (): Promise<StartServer> => {
  const module = (await import('aws-ses-v2-local')) as unknown as {
    default: StartServer | { default: StartServer };
  };
  const candidate = module.default;
  return typeof candidate === 'function' ? candidate : candidate.default;
};

/** Starts aws-ses-v2-local in this process. Its mail store is per process, in memory. */
export const startSesEmulator = async (options: SesEmulatorOptions = {}): Promise<SesEmulator> => {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 8005;
  // The emulator does not handle listen errors: check first so a busy port gives one clear line.
  await assertPortFree(requestedPort, host, 'SES emulator');
  const server = await (await loadServer())({ host, port: requestedPort });
  const { port } = server.address() as AddressInfo;
  const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const endpoint = `http://${displayHost}:${port}`;
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    mailboxUrl: `http://localhost:${port}`,
    port,
    stop: () => {
      stopped ??= new Promise<void>((resolveStop) => {
        server.close(() => resolveStop());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
};
