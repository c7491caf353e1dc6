/**
 * Child process of `npm run bench`: the local runtime (its own DynamoDB Local and SES emulator)
 * with SES_MAX_SEND_RATE set, N consenting customers created through the API, and a campaign to
 * them scheduled two seconds ahead. Measures the send rate the senders achieve (first to last
 * campaign e-mail accepted by the SES emulator) against the configured rate, and the busiest
 * second. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RECIPIENTS = Number(process.argv[2] ?? 300);
const RATE = Number(process.argv[3] ?? 20);

const home = mkdtempSync(join(tmpdir(), 'cirrus-bench-send-'));
Object.assign(process.env, {
  CIRRUS_HOME: home,
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  SES_MAX_SEND_RATE: String(RATE),
});
const { signDevToken } = await import('#local/dev-auth');
const { startLocalRuntime } = await import('#local/runtime');

/** When each recipient's send record was settled (BatchGet by the ids we created). */
const settledTimes = async (campaignId: string, customerIds: string[]): Promise<number[]> => {
  // Imported once the runtime has set the endpoints: the client reads them when it loads.
  const { BatchGetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { documentClient } = await import('#shared/clients/dynamodb');
  const { campaignSendKeys } = await import('#shared/data/campaign-sends');
  const times: number[] = [];
  for (let start = 0; start < customerIds.length; start += 100) {
    let keys = customerIds.slice(start, start + 100).map((id) => campaignSendKeys.record(campaignId, id));
    while (keys.length > 0) {
      const table = process.env.TABLE_NAME ?? '';
      const { Responses, UnprocessedKeys } = await documentClient.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: keys } } }),
      );
      for (const item of Responses?.[table] ?? []) {
        if (item.status === 'sent') times.push(Date.parse(String(item.settledAt)));
      }
      keys = (UnprocessedKeys?.[table]?.Keys ?? []) as typeof keys;
    }
  }
  return times.sort((a, b) => a - b);
};

const runtime = await startLocalRuntime({ port: 0, sesPort: 0, inMemory: true, quiet: true });
try {
  const headers = {
    authorization: `Bearer ${await signDevToken('admin')}`,
    'content-type': 'application/json',
  };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${runtime.apiUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (response.status >= 300)
      throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string; schedule?: unknown };
  };
  let next = 0;
  const customerIds: string[] = [];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < RECIPIENTS) {
        const n = next++;
        const customer = await post('/customers', {
          name: `Bench ${n}`,
          emails: [{ address: `bench-${n}@send.example`, label: 'work' }],
          tags: ['send-bench'],
          consent: { email: { status: 'granted', source: 'signup-form' } },
        });
        customerIds.push(customer.id);
      }
    }),
  );
  await runtime.waitForIdle();
  const segment = await post('/segments', {
    name: 'Bench',
    rule: { field: 'tags', has: 'any', values: ['send-bench'] },
  });
  const template = await post('/templates', {
    name: 'Bench',
    subject: 'Hello {{ customer.firstName }}',
    html: '<p>Hello {{ customer.name }}</p>',
    text: 'Hello {{ customer.name }}',
  });
  const campaign = await post('/campaigns', {
    name: 'Bench',
    segmentId: segment.id,
    templateId: template.id,
  });
  const sendAt = new Date(Date.now() + 2000).toISOString().slice(0, 19);
  await post(`/campaigns/${campaign.id}/schedule`, { sendAt, timeZone: 'UTC' });
  for (;;) {
    const read = (await (await fetch(`${runtime.apiUrl}/campaigns/${campaign.id}`, { headers })).json()) as {
      status: string;
    };
    if (read.status === 'sent') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await runtime.waitForIdle();
  const settled = await settledTimes(campaign.id, customerIds);
  const first = settled[0] ?? 0;
  const last = settled.at(-1) ?? 0;
  const perSecond = new Map<number, number>();
  for (const at of settled)
    perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
  // The first message waits for no token: the rate is over the intervals between messages.
  const achieved = settled.length > 1 ? (settled.length - 1) / ((last - first) / 1000) : 0;
  process.stdout.write(
    `${JSON.stringify({ recipients: RECIPIENTS, sent: settled.length, configuredRate: RATE, achievedRate: achieved, busiestSecond: Math.max(...perSecond.values()), durationMs: last - first })}\n`,
  );
} finally {
  await runtime.stop();
  rmSync(home, { recursive: true, force: true });
}
