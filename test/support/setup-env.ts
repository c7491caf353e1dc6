import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, expect, inject } from 'vitest';

/**
 * Runs before each test file, before it imports anything: handlers build their SDK clients at
 * module scope from these variables. Every file gets its own table and its own CIRRUS_HOME (dev
 * auth key, checkpoints), so files running in parallel against the shared emulators never meet.
 */
const testFile = basename(expect.getState().testPath ?? 'test').replace(/\.test\.ts$/, '');
const tableName = `test-${testFile.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 60)}-${randomBytes(4).toString('hex')}`;
const cirrusHome = mkdtempSync(join(tmpdir(), 'cirrus-test-'));

Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  TABLE_NAME: tableName,
  EVENT_BUS_NAME: 'cirrus-crm',
  // Without DynamoDB Local (no Java), point clients at a name that fails at once and says why,
  // never at real AWS.
  DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') || 'http://dynamodb-local-not-running.invalid',
  SES_ENDPOINT: inject('sesEndpoint'),
  // Campaign schedules: tests mock the client or run the local runtime's Scheduler; never AWS.
  SCHEDULER_ENDPOINT: 'http://scheduler-not-running.invalid',
  CAMPAIGN_SCHEDULE_GROUP: 'test-campaigns',
  CAMPAIGN_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/test-scheduler',
  CAMPAIGN_DISPATCHER_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:campaignDispatcher',
  CIRRUS_HOME: cirrusHome,
});
// Keep handler logs (Powertools) out of the test output unless someone asks for them.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;

afterAll(() => rmSync(cirrusHome, { recursive: true, force: true }));
