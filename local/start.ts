/**
 * `npm start`: the whole backend on this machine. `npm start -- --in-memory` for throwaway data;
 * PORT (default 3000), SES_PORT (default 8005), TRACKING_PORT (default 8006) and HOST (default 127.0.0.1) change where it listens.
 */
import { join, relative } from 'node:path';
import { ROLES } from '#shared/domain/actor';
import { cirrusHome, repoRoot } from './paths.ts';
import { startLocalRuntime } from './runtime.ts';

const inMemory = process.argv.includes('--in-memory');
const port = Number(process.env.PORT ?? 3000);
const sesPort = Number(process.env.SES_PORT ?? 8005);
const trackingPort = Number(process.env.TRACKING_PORT ?? 8006);

let runtime: Awaited<ReturnType<typeof startLocalRuntime>>;
try {
  runtime = await startLocalRuntime({ port, sesPort, trackingPort, inMemory, host: process.env.HOST });
} catch (error) {
  console.error(
    `Could not start the local runtime: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}

const api = runtime.apiUrl.replace('127.0.0.1', 'localhost');
const home = relative(repoRoot, cirrusHome());
const data = inMemory
  ? 'in memory (gone when you stop)'
  : join(home.startsWith('..') ? cirrusHome() : home, 'dynamodb');
console.log(`
Cirrus CRM is running locally (DynamoDB Local started in ${(runtime.dynamodbStartupMs / 1000).toFixed(1)} s)

  API       ${api}
  Docs      ${api}/docs
  OpenAPI   ${api}/openapi.json
  Mailbox   ${runtime.mailboxUrl}
  Tracking  ${runtime.trackingUrl}/open/<messageId>, /click/<messageId>?url=<link>  (SES open/click events)
  Data      ${data}

Get a token (roles: ${ROLES.join(', ')}):
  npm run --silent token -- admin
  curl -H "Authorization: Bearer $(npm run --silent token -- admin)" ${api}/customers

Press Ctrl-C to stop.
`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) {
    // A second Ctrl-C: the user wants out now.
    process.exit(1);
  }
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
