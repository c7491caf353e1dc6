/**
 * Child process of `npm run bench`: starts its own DynamoDB Local (in memory) and the table,
 * seeds N marketable-index items directly with BatchWriteItem (the audience views a customer
 * write would keep there), then times building the audience of a typical segment rule: one Query
 * per shard in parallel, every page, each view evaluated. Prints the result as one JSON line.
 */
import { startDynamoDBLocal } from '#local/dynamodb-local';
import { ensureTable } from '#local/table';

const CUSTOMERS = Number(process.argv[2] ?? 100_000);
const TABLE_NAME = 'cirrus-bench-audience';

const dynamodbLocal = await startDynamoDBLocal({ inMemory: true, port: 0 });
// Before the SDK client module loads: it reads its endpoint once.
Object.assign(process.env, {
  DYNAMODB_ENDPOINT: dynamodbLocal.endpoint,
  TABLE_NAME,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
});
const runtime = { tableName: TABLE_NAME };
const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
const { documentClient } = await import('#shared/clients/dynamodb');
const { marketablePut, countAudience } = await import('#shared/data/marketable');
const { SegmentRule } = await import('#shared/schemas/segment');
type AudienceView = import('#shared/domain/audience').AudienceView;

/** A typical campaign rule: buyers or loyal people, spent ≥ 50 EUR, not opted out by tag, recent. */
const RULE = SegmentRule.parse({
  and: [
    { field: 'lifecycleStage', in: ['customer', 'loyal'] },
    { field: 'totalSpent', currency: 'EUR', op: 'gte', value: 5_000 },
    { not: { field: 'tags', has: 'any', values: ['no-promo'] } },
    {
      or: [
        { field: 'lastPurchase', withinDays: 365 },
        { field: 'valueTier', in: ['high'] },
      ],
    },
  ],
});

const STAGES = ['lead', 'prospect', 'customer', 'loyal', 'at-risk', 'churned'] as const;
const viewOf = (n: number): AudienceView => ({
  id: `01JBENCH${String(n).padStart(18, '0')}`,
  name: `Bench Person ${n}`,
  email: `bench-${n}@example.com`,
  lifecycleStage: STAGES[n % STAGES.length] as AudienceView['lifecycleStage'],
  tags: n % 10 === 0 ? ['no-promo', 'bench'] : ['bench'],
  emailConsent: 'granted',
  purchases: {
    orderCount: n % 7,
    lastPurchaseAt: new Date(Date.now() - (n % 500) * 86_400_000).toISOString(),
    spent: [{ currency: 'EUR', totalSpent: (n * 37) % 20_000 }],
  },
  country: n % 2 ? 'GB' : 'DE',
  valueScore: n % 101,
  customFields: { plan: n % 3 ? 'pro' : 'basic' },
});

try {
  await ensureTable(dynamodbLocal.endpoint, TABLE_NAME);
  const seedStarted = performance.now();
  const batches: unknown[][] = [];
  for (let n = 0; n < CUSTOMERS; n += 25) {
    batches.push(
      Array.from({ length: Math.min(25, CUSTOMERS - n) }, (_, i) => ({
        PutRequest: { Item: marketablePut(viewOf(n + i)).Put.Item },
      })),
    );
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let requests = batches[next++] as never[];
      while (requests.length > 0) {
        const { UnprocessedItems } = await documentClient.send(
          new BatchWriteCommand({ RequestItems: { [runtime.tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[runtime.tableName] ?? []) as never[];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const seedMs = performance.now() - seedStarted;

  const started = performance.now();
  const { count } = await countAudience(RULE);
  const buildMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ customers: CUSTOMERS, matched: count, seedMs, buildMs })}\n`);
} finally {
  await dynamodbLocal.stop();
}
