import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '#local/runtime';
import { dynamodbEndpoint, sesEndpoint, testTableName } from './local-services.ts';

/**
 * Starts the local runtime for end-to-end tests: on a free port, in memory, on this file's own
 * table, reusing the run's DynamoDB Local and SES emulator (no JVM start per file). Quick retries
 * so failure paths settle fast. Start it once per file (beforeAll) and stop it in afterAll: handler
 * modules keep the endpoints they were first imported with.
 *
 * @example
 * let runtime: LocalRuntime;
 * beforeAll(async () => { runtime = await startTestRuntime(); });
 * afterAll(() => runtime.stop());
 */
export const startTestRuntime = (options: Partial<LocalRuntimeOptions> = {}): Promise<LocalRuntime> =>
  startLocalRuntime({
    port: 0,
    inMemory: true,
    quiet: true,
    tableName: testTableName(),
    dynamodbEndpoint: dynamodbEndpoint(),
    sesEndpoint: sesEndpoint(),
    retry: { attempts: 3, baseDelayMs: 20 },
    ...options,
  });

export type { LocalRuntime };
