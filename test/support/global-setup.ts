import type { TestProject } from 'vitest/node';
import { type DynamoDBLocal, startDynamoDBLocal } from '#local/dynamodb-local';
import { type SesEmulator, startSesEmulator } from '#local/ses-emulator';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local shared by the whole run ('' when it could not start: see dynamodbError). */
    dynamodbEndpoint: string;
    /** Why DynamoDB Local is unavailable (e.g. no Java), reported by the tests that need it. */
    dynamodbError: string;
    /** SES emulator shared by the whole run. */
    sesEndpoint: string;
  }
}

/**
 * Starts the local services once per run and hands their endpoints to the workers. A missing
 * Java does not fail the run: unit tests still pass, and the tests that need DynamoDB fail with
 * the one-line reason.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamodb, ses] = await Promise.all([
    startDynamoDBLocal({ inMemory: true, port: 0 }).catch((error: Error) => error),
    startSesEmulator({ port: 0 }),
  ]);
  const started: (DynamoDBLocal | SesEmulator)[] = [ses];
  if (dynamodb instanceof Error) {
    console.warn(`\n⚠ Tests that need DynamoDB Local will fail: ${dynamodb.message}\n`);
    project.provide('dynamodbEndpoint', '');
    project.provide('dynamodbError', dynamodb.message);
  } else {
    started.push(dynamodb);
    project.provide('dynamodbEndpoint', dynamodb.endpoint);
    project.provide('dynamodbError', '');
  }
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await Promise.all(started.map((service) => service.stop()));
  };
}
