import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '#local/aws-local';
import { startDynamoDBLocal } from '#local/dynamodb-local';
import { ensureTable } from '#local/table';
import { TABLE } from '#shared/data/table-definition';
import { measureActivityOperations, seedTimeline } from './activity-cost.ts';
import { installMeter, type OperationCost } from './dynamodb-meter.ts';
import { type ProbeResult, probeLocalCapacity } from './local-capacity-probes.ts';

/** One customers (or customer activity) API operation and what it cost. */
export interface OperationResult {
  name: string;
  cost: OperationCost;
}

export interface DynamoDBCostResult {
  operations: OperationResult[];
  probes: ProbeResult[];
  /** Customers created before the measured operations (so list pages are full). */
  seeded: number;
  /** How many of them are there for the customer activity rows (a lead, a long timeline). */
  activityCustomers: number;
  /** The list page size the list operations asked for. */
  pageSize: number;
  dynamodbLocalStartupMs: number;
}

/** Every list operation asks for one full default page. */
const PAGE_SIZE = 25;

/**
 * A typical customer: one e-mail (unique per customer, or the guard refuses it), two tags, and the
 * other fields a sales team fills in, so item sizes are realistic rather than minimal.
 */
const customerBody = (runId: string, n: number, lifecycleStage = 'customer') => ({
  name: `Bench Customer ${n}`,
  emails: [{ address: `bench-${runId}-${n}@example.com`, label: 'work' }],
  phones: [{ number: `+1415555${String(n).padStart(4, '0')}`, label: 'mobile' }],
  company: 'Example Industries Ltd',
  title: 'Head of Purchasing',
  tags: ['vip', 'newsletter'],
  lifecycleStage,
  consent: { email: { status: 'granted', source: 'signup-form' } },
  // No custom fields: they need the workspace's definitions, which the bench does not set up.
});

/** The body sent by each create, for the report. */
export const CUSTOMER_BODY_DESCRIPTION =
  'name, 1 e-mail, 1 phone, company, title, 2 tags, lifecycle stage, e-mail consent';

/**
 * Starts DynamoDB Local, points this process at it, and calls the customers and customer activity
 * handlers directly with API Gateway events, measuring each operation's DynamoDB calls and capacity.
 * DynamoDB Local is stopped whatever happens (and by its watchdog if this process dies).
 */
export const measureCustomerOperations = async (options: { seed: number }): Promise<DynamoDBCostResult> => {
  if (options.seed < PAGE_SIZE + 1)
    throw new Error(`Seed at least ${PAGE_SIZE + 1} customers for full pages`);
  // Before the first SDK client exists (DynamoDB Local's readiness check): it warns once on Node.js 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const local = await startDynamoDBLocal({ inMemory: true, port: 0 });
  const shadow = new DynamoDBClient(localClientConfig(local.endpoint));
  try {
    const tableName = `bench-${randomBytes(4).toString('hex')}`;
    await ensureTable(local.endpoint, tableName);

    // The handler builds its SDK clients at module scope from these: set them before importing it.
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: local.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      EVENT_BUS_NAME: 'cirrus-bench',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    // Never real AWS, whatever the developer's shell holds.
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    const { dynamodb } = await import('#shared/clients/dynamodb');
    const { asUser } = await import('../test/helpers/customers-api.ts');

    const meter = installMeter(dynamodb, shadow, TABLE);
    const admin = asUser('admin', 'bench-admin');
    const runId = randomBytes(3).toString('hex');
    type Response = { status: number; body?: unknown };
    const expectStatus = <R extends Response>(what: string, expected: number, response: R): R => {
      if (response.status !== expected) {
        throw new Error(
          `${what}: expected ${expected}, got ${response.status} ${JSON.stringify(response.body)}`,
        );
      }
      return response;
    };

    for (let n = 1; n <= options.seed; n++) {
      expectStatus('seeding', 201, await admin.create(customerBody(runId, n)));
    }
    let n = options.seed;
    // Activity: a lead for the purchases (the first makes it a customer), a customer with a long timeline.
    const seedActivityCustomer = async (stage: string): Promise<string> =>
      expectStatus('seeding', 201, await admin.create(customerBody(runId, ++n, stage))).body.id;
    const leadId = await seedActivityCustomer('lead');
    const timelineId = await seedActivityCustomer('customer');
    await seedTimeline(admin, timelineId);
    const seeded = n;

    const operations: OperationResult[] = [];
    const measure = async <R extends Response>(name: string, expected: number, call: () => Promise<R>) => {
      const { result, cost } = await meter.measure(call);
      operations.push({ name, cost });
      return expectStatus(name, expected, result);
    };
    const pageLength = (response: { body?: unknown }) => (response.body as { items: unknown[] }).items.length;

    const created = await measure('createCustomer (1 e-mail, 2 tags)', 201, () =>
      admin.create(customerBody(runId, ++n)),
    );
    const id = (created.body as { id: string }).id;

    const idempotentBody = customerBody(runId, ++n);
    const idempotencyKey = { 'Idempotency-Key': randomUUID() };
    await measure('createCustomer with Idempotency-Key', 201, () =>
      admin.create(idempotentBody, idempotencyKey),
    );
    await measure('createCustomer, same Idempotency-Key again (replay)', 201, () =>
      admin.create(idempotentBody, idempotencyKey),
    );

    await measure('getCustomer', 200, () => admin.get(id));
    await measure('updateCustomer (change title)', 200, () =>
      admin.update(id, { title: 'Chief Procurement Officer' }),
    );
    await measure('updateCustomer (change tags: 1 added, 1 removed)', 200, () =>
      admin.update(id, { tags: ['vip', 'churn-risk'] }),
    );

    const all = await measure(`listCustomers (no filter, ${PAGE_SIZE})`, 200, () =>
      admin.list({ limit: String(PAGE_SIZE) }),
    );
    const tagged = await measure(`listCustomers by tag (${PAGE_SIZE})`, 200, () =>
      admin.list({ tag: 'newsletter', limit: String(PAGE_SIZE) }),
    );
    for (const [what, page] of [
      ['list', all],
      ['list by tag', tagged],
    ] as const) {
      if (pageLength(page) !== PAGE_SIZE)
        throw new Error(`${what} returned ${pageLength(page)} items, not ${PAGE_SIZE}`);
    }

    await measure('deleteCustomer', 204, () => admin.remove(id));

    await measureActivityOperations(admin, measure, { leadId, timelineId, runId });

    const probes = await probeLocalCapacity(dynamodb, meter, tableName);
    return {
      operations,
      probes,
      seeded,
      activityCustomers: seeded - options.seed,
      pageSize: PAGE_SIZE,
      dynamodbLocalStartupMs: local.startupMs,
    };
  } finally {
    shadow.destroy();
    await local.stop();
  }
};
