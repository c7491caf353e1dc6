import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AudienceBuild } from './audience-build.ts';
import type { BundleResult } from './bundle-size.ts';
import { type ColdInitResult, INIT_MODES, type InitModeId } from './cold-init.ts';
import type { DynamoDBCostResult } from './dynamodb-cost.ts';
import type { Capacity, OperationCost } from './dynamodb-meter.ts';
import type { ImportThroughput } from './import-throughput.ts';
import type { MachineFacts } from './machine.ts';
import type { SendRate } from './send-rate.ts';

/** Everything one `npm run bench` measured, plus how and where. */
export interface BenchResults {
  date: Date;
  command: string;
  machine: MachineFacts;
  dynamodbLocal: string;
  durationsMs: {
    total: number;
    bundling: number;
    coldInit: number;
    dynamodb: number;
    import: number;
    audience: number;
    sendRate: number;
  };
  bundles: BundleResult[];
  /** Name of the empty-handler baseline among `bundles` and `coldInit`. */
  baseline: string;
  runs: number;
  coldInit: ColdInitResult[];
  dynamodb: DynamoDBCostResult;
  customerBody: string;
  /** What the customer activity rows send and read. */
  activityBodies: string;
  importThroughput: ImportThroughput;
  audience: AudienceBuild;
  sendRate: SendRate;
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const INTRO = `# Benchmarks

Bundle sizes, cold-init times and DynamoDB cost per API operation, measured by \`npm run bench\`
(\`bench/run.ts\`). Everything between the \`bench:start\` and \`bench:end\` markers is rewritten on
each run; notes outside them are kept.
`;

const int = (n: number) => n.toLocaleString('en-US');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const seconds = (n: number) => `${(n / 1000).toFixed(1)} s`;
/** Capacity units: halves are common (eventually consistent reads), finer fractions are not. */
const units = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

const table = (header: string[], align: ('l' | 'r')[], rows: string[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

const callsText = (cost: OperationCost) =>
  Object.entries(cost.calls)
    .map(([command, count]) => (count === 1 ? command : `${command} ×${count}`))
    .join(', ') || '—';

const capacityText = (capacity: Capacity) => `${units(capacity.read)} / ${units(capacity.write)}`;

const bundleSection = (results: BenchResults): string => {
  const rows = results.bundles.map((bundle) => [
    bundle.name === results.baseline ? `*${bundle.name}*` : bundle.name,
    `\`${bundle.entry}\``,
    `${int(bundle.bytes)} B (${kib(bundle.bytes)})`,
    `${int(bundle.gzipBytes)} B (${kib(bundle.gzipBytes)})`,
    bundle.inputs
      .slice(0, 3)
      .map((input) => `${input.name} ${kib(input.bytes)}`)
      .join(', '),
    bundle.filesBytes
      ? `${bundle.files?.map((f) => `\`${f.to}\``).join(', ')}: ${kib(bundle.filesBytes)}`
      : '—',
  ]);
  return [
    '### Bundle sizes',
    '',
    'Each function of `functions/catalog.ts`, bundled by esbuild with the options of',
    '`infra/bundling-options.ts` (the ones CrmFunction deploys): minified ESM with the AWS SDK inside.',
    'The source map beside each bundle is not counted; files a function ships beside its bundle',
    '(`bundledFiles`) are listed apart. gzip is zlib at its default level. "Largest parts" groups',
    "esbuild's metafile by package (scoped packages by scope).",
    '',
    table(
      ['Function', 'Entry', 'Minified', 'gzip', 'Largest parts', 'Files shipped beside'],
      ['l', 'l', 'r', 'r', 'l', 'l'],
      rows,
    ),
  ].join('\n');
};

const coldInitSection = (results: BenchResults): string => {
  const baseline = results.coldInit.find((r) => r.name === results.baseline);
  if (!baseline) throw new Error(`No cold-init result for the baseline ${results.baseline}`);
  const cells = (result: ColdInitResult, mode: InitModeId) => {
    const s = result.byMode[mode];
    const base = baseline.byMode[mode].median;
    return [
      `${ms(s.median)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`,
      `${(s.median / base).toFixed(1)}×`,
      result === baseline ? '—' : `+${ms(s.median - base)}`,
    ];
  };
  const [deployed, plain] = INIT_MODES;
  return [
    '### Cold init',
    '',
    'Time to `await import()` each bundle in a fresh `node` process (`performance.now()` before and after',
    `the import, so Node's own start-up is left out): median of ${results.runs} runs (min–max) after one discarded`,
    'warm-up round, one process at a time, runs interleaved across bundles. The child gets only Lambda-like',
    'variables (region, dummy credentials, `TABLE_NAME`, `EVENT_BUS_NAME`, `POWERTOOLS_LOG_LEVEL=WARN`…), so',
    'module-scope code runs as in Lambda.',
    '',
    `**This is Node.js ${results.machine.node.replace(/^v/, '')} on this machine, not Lambda's Node.js 22 on arm64: read`,
    'the ratio to the empty handler (and the extra milliseconds as an order of magnitude), not the absolute',
    'times.**',
    '',
    table(
      [
        'Function',
        `${deployed.label}`,
        '× empty',
        '+ over empty',
        `${plain.label}`,
        '× empty',
        '+ over empty',
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      results.coldInit.map((result) => [
        result.name === results.baseline ? `*${result.name}*` : result.name,
        ...cells(result, deployed.id),
        ...cells(result, plain.id),
      ]),
    ),
    '',
    'CrmFunction sets `NODE_OPTIONS=--enable-source-maps` on every function; comparing the two column',
    'groups shows what that costs at init (a difference inside the min–max spread is noise).',
  ].join('\n');
};

/** Largest size per item kind over all operations, largest first. */
const itemSizes = (dynamodb: DynamoDBCostResult): [string, number][] => {
  const largest = new Map<string, number>();
  for (const [kind, bytes] of dynamodb.operations.flatMap((op) => Object.entries(op.cost.itemSizes))) {
    largest.set(kind, Math.max(largest.get(kind) ?? 0, bytes));
  }
  return [...largest].sort((a, b) => b[1] - a[1]);
};

const dynamodbSection = (results: BenchResults): string => {
  const { dynamodb } = results;
  const notes = [...new Set(dynamodb.operations.flatMap((op) => op.cost.notes))];
  return [
    '### DynamoDB calls and capacity per customers API operation',
    '',
    '`functions/api/customers.ts` (and `functions/api/customer-activity.ts` for purchases, interactions and',
    'the timeline) called directly with API Gateway (payload 2.0) events as an admin, against DynamoDB Local',
    `(in memory) holding ${dynamodb.seeded} seeded customers (${dynamodb.activityCustomers} of them for the activity rows); list pages hold ${dynamodb.pageSize} items.`,
    `Each create sends ${results.customerBody}.`,
    results.activityBodies,
    'Calls are counted by a middleware on the shared client (`shared/clients/dynamodb.ts`), added in the',
    'bench process only.',
    '',
    '**RCU / WCU are computed, not reported**: `bench/capacity-rules.ts` applies the published rules to the',
    'items each call read or wrote (read back from DynamoDB Local around the call): a write costs 1 WCU per',
    'KB started of the larger of the old and new item, twice that inside a transaction, plus 1 WCU per KB',
    'started of each index entry written (item + 100 bytes; 2 writes when an index key moves); a read costs',
    '1 RCU per 4 KB started (per item for GetItem and BatchGetItem, per page for Query), half for eventually',
    'consistent reads (all index queries). Index writes are counted once, not doubled, inside transactions:',
    'AWS documents the doubling for the transaction items only.',
    '',
    'DynamoDB Local does return `ConsumedCapacity` (asked with `ReturnConsumedCapacity: TOTAL`); its numbers',
    'are in the last column for reference. They match the rules for single-item calls and queries, but not',
    'for `TransactWriteItems` (see the probes below), so do not budget from them.',
    '',
    table(
      ['Operation', 'DynamoDB calls', 'RCU', 'WCU', 'DynamoDB Local reported RCU / WCU'],
      ['l', 'l', 'r', 'r', 'r'],
      dynamodb.operations.map((op) => [
        op.name,
        callsText(op.cost),
        units(op.cost.expected.read),
        units(op.cost.expected.write),
        capacityText(op.cost.reported),
      ]),
    ),
    ...(notes.length ? ['', ...notes.map((note) => `- ${note}`)] : []),
    '',
    'Largest item of each kind written above: every KB started costs 1 WCU (2 in a transaction, plus',
    '1 per index entry), so an item close to a KB boundary is one field away from costing more.',
    '',
    table(
      ['Item kind', 'Size', 'Room before the next KB'],
      ['l', 'r', 'r'],
      itemSizes(dynamodb).map(([kind, bytes]) => [
        `\`${kind}\``,
        `${int(bytes)} B`,
        `${int(Math.ceil(bytes / 1024) * 1024 - bytes)} B`,
      ]),
    ),
    '',
    'Probes: writes simple enough to price by hand, comparing the hand count, the rules code and',
    'DynamoDB Local.',
    '',
    table(
      ['Probe', 'WCU by hand', 'WCU by capacity-rules.ts', 'WCU reported by DynamoDB Local'],
      ['l', 'r', 'r', 'r'],
      dynamodb.probes.map((probe) => [
        probe.name,
        units(probe.byHand),
        units(probe.cost.expected.write),
        units(probe.cost.reported.write),
      ]),
    ),
  ].join('\n');
};

const importSection = ({ importThroughput: t }: BenchResults): string =>
  [
    '### Import throughput (local runtime)',
    '',
    `POST /imports of a generated ${int(t.rows)}-row CSV (${kib(t.bytes)}, every row a new customer with an`,
    'e-mail, a phone and two tags) on the local runtime: DynamoDB Local, the stream poller running the',
    'import worker one chunk at a time, the outbox publisher and the local bus alongside. Measured from the',
    'POST to the job reading `completed`; DynamoDB Local, not AWS, is the bottleneck here.',
    '',
    table(
      ['rows', 'status', 'created', 'skipped', 'POST answered (202)', 'completed after', 'rows per second'],
      ['r', 'l', 'r', 'r', 'r', 'r', 'r'],
      [
        [
          int(t.rows),
          t.status,
          int(t.created),
          int(t.skipped),
          ms(t.acceptedMs),
          seconds(t.totalMs),
          (t.rows / (t.totalMs / 1000)).toFixed(0),
        ],
      ],
    ),
  ].join('\n');

const audienceSection = ({ audience: a }: BenchResults): string =>
  [
    '### Audience build (marketable index, DynamoDB Local)',
    '',
    `${int(a.customers)} marketable-index items seeded with BatchWriteItem, then the audience of a typical rule`,
    '(stage customer/loyal, ≥ 50 EUR spent, not tagged no-promo, bought within a year or high value tier)',
    'built as a campaign would: one Query per shard (16) in parallel, every page, each view evaluated.',
    '',
    table(
      ['customers in the index', 'matched', 'seeding', 'audience build', 'customers per second'],
      ['r', 'r', 'r', 'r', 'r'],
      [
        [
          int(a.customers),
          int(a.matched),
          seconds(a.seedMs),
          seconds(a.buildMs),
          (a.customers / (a.buildMs / 1000)).toFixed(0),
        ],
      ],
    ),
  ].join('\n');

const sendRateSection = ({ sendRate: r }: BenchResults): string =>
  [
    '### Campaign send rate (local runtime: Scheduler → dispatcher → SQS → senders → SES emulator)',
    '',
    `${int(r.recipients)} consenting customers created through the API, a campaign to them scheduled two seconds ahead,`,
    `\`SES_MAX_SEND_RATE=${r.configuredRate}\` and two senders (each paces at half the rate). Achieved rate = messages`,
    'after the first / time from the first to the last send record settled; busiest second = most sends in one wall-clock second.',
    '',
    table(
      ['sent', 'configured rate', 'achieved rate', 'achieved / configured', 'busiest second', 'first → last'],
      ['r', 'r', 'r', 'r', 'r', 'r'],
      [
        [
          `${int(r.sent)} of ${int(r.recipients)}`,
          `${r.configuredRate}/s`,
          `${r.achievedRate.toFixed(1)}/s`,
          (r.achievedRate / r.configuredRate).toFixed(2),
          int(r.busiestSecond),
          seconds(r.durationMs),
        ],
      ],
    ),
  ].join('\n');

/** The generated section of BENCHMARKS.md (also what the bench prints). */
export const renderReport = (results: BenchResults): string => {
  const { machine, durationsMs: d } = results;
  return [
    `## Latest run: ${results.date.toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    '',
    `- Command: \`${results.command}\``,
    `- Machine: ${machine.nproc} CPUs (\`nproc\`), ${machine.cpuModel}, ${machine.memoryGiB} GiB RAM, ${machine.os};`,
    `  load average ${machine.loadAverage.map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min) when the bench started`,
    `- Node.js ${machine.node} (Lambda runs Node.js 22 on arm64), esbuild ${machine.esbuild}, ${results.dynamodbLocal}`,
    `- Took ${seconds(d.total)}: bundling ${seconds(d.bundling)}, cold init ${seconds(d.coldInit)}, DynamoDB ${seconds(d.dynamodb)}, import ${seconds(d.import)}, audience ${seconds(d.audience)}, send rate ${seconds(d.sendRate)}`,
    '',
    bundleSection(results),
    '',
    coldInitSection(results),
    '',
    dynamodbSection(results),
    '',
    importSection(results),
    '',
    audienceSection(results),
    '',
    sendRateSection(results),
  ].join('\n');
};

/**
 * Replaces the generated section of `path` (between the markers) with `section`, keeping what
 * people wrote around it; creates the file with a short introduction the first time.
 */
export const writeReport = (path: string, section: string): void => {
  const block = `${START}\n${section}\n${END}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : `${INTRO}\n${START}\n${END}\n`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
};
