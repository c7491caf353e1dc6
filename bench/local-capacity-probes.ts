import { type DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { Meter, OperationCost } from './dynamodb-meter.ts';

/** One hand-made call whose cost is easy to work out by hand, and what it cost. */
export interface ProbeResult {
  name: string;
  /** The units the published rules give, worked out by hand (checks capacity-rules.ts too). */
  byHand: number;
  cost: OperationCost;
}

/**
 * A few writes with obvious costs, to show in each report how DynamoDB Local's ConsumedCapacity
 * compares with the rules (and that the rules code agrees with the hand count). They write under
 * their own keys and index partition, so the customer lists never see them.
 */
export const probeLocalCapacity = async (
  client: DynamoDBClient,
  meter: Meter,
  tableName: string,
): Promise<ProbeResult[]> => {
  const small = (id: string, extra: Record<string, { S: string }> = {}) => ({
    pk: { S: `BENCH_PROBE#${id}` },
    sk: { S: 'PROBE' },
    ...extra,
  });
  const probes: { name: string; byHand: number; send: () => Promise<unknown> }[] = [
    {
      name: 'PutItem, one 3 KB item, no index',
      byHand: 3,
      send: () =>
        client.send(
          new PutItemCommand({ TableName: tableName, Item: small('big', { d: { S: 'x'.repeat(3000) } }) }),
        ),
    },
    {
      name: 'TransactWriteItems, three small items, no index',
      byHand: 6,
      send: () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: ['a', 'b', 'c'].map((id) => ({ Put: { TableName: tableName, Item: small(id) } })),
          }),
        ),
    },
    {
      name: 'TransactWriteItems, one small item in one index',
      byHand: 3,
      send: () =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: small('indexed', { gsi1pk: { S: 'BENCH_PROBE' }, gsi1sk: { S: 'indexed' } }),
                },
              },
            ],
          }),
        ),
    },
  ];
  const results: ProbeResult[] = [];
  for (const probe of probes) {
    const { cost } = await meter.measure(probe.send);
    results.push({ name: probe.name, byHand: probe.byHand, cost });
  }
  return results;
};
