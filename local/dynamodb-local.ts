import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from './aws-local.ts';
import { freePort } from './free-port.ts';
import { assertJava } from './java.ts';
import { spawnTethered } from './tethered-process.ts';

export interface DynamoDBLocalOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Keep data in memory only (tests, `npm start -- --in-memory`). */
  inMemory?: boolean;
  /** Where data persists when not in memory. */
  dbPath?: string;
  /** Give up waiting for readiness after this long. */
  readyTimeoutMs?: number;
}

export interface DynamoDBLocal {
  endpoint: string;
  port: number;
  /** How long the JVM took to answer its first ListTables. */
  startupMs: number;
  /** Stops the JVM and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** The emulator directory inside the amplify-dynamodb-simulator package (jar plus native SQLite libs). */
const emulatorDir = (): string => {
  const packageJson = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json');
  return join(dirname(packageJson), 'emulator');
};

const waitUntilReady = async (
  endpoint: string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<'ready' | 'exited'> => {
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (hasExited) return 'exited';
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(1000) });
        return 'ready';
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
  } finally {
    client.destroy();
  }
};

/**
 * Starts DynamoDB Local from the jar shipped by amplify-dynamodb-simulator and waits until it
 * answers. `-sharedDb` makes every access key and region see the same tables, so the CLI, NoSQL
 * Workbench and our dummy-credential clients all look at one database.
 */
export const startDynamoDBLocal = async (options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> => {
  assertJava();
  const dir = emulatorDir();
  const storage: string[] = options.inMemory
    ? ['-inMemory']
    : ['-dbPath', resolve(options.dbPath ?? 'dynamodb-data')];
  if (!options.inMemory) mkdirSync(storage[1] as string, { recursive: true });

  // A free port found by probing can be taken before the JVM binds it: retry a couple of times.
  const attempts = options.port ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await freePort());
    const started = Date.now();
    const child = spawnTethered('java', [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-disableTelemetry',
      '-sharedDb',
      ...storage,
    ]);
    const endpoint = `http://127.0.0.1:${port}`;
    let outcome: 'ready' | 'exited';
    try {
      outcome = await waitUntilReady(endpoint, child.exited, options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      await child.stop();
      throw error;
    }
    if (outcome === 'ready') {
      return { endpoint, port, startupMs: Date.now() - started, stop: child.stop };
    }
    if (attempt >= attempts) {
      throw new Error(`DynamoDB Local exited before it was ready:\n${child.outputTail()}`);
    }
  }
};
