import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type LambdaFunctionName, lambdaFunctions } from '#functions/catalog';
import { bundledFiles } from '#infra/bundling-options';
import { REPO_ROOT } from '#infra/repo-root';
import { ACTIVITY_DESCRIPTION } from './activity-cost.ts';
import { measureAudienceBuild } from './audience-build.ts';
import { bundleEntries } from './bundle-size.ts';
import { measureColdInit } from './cold-init.ts';
import { CUSTOMER_BODY_DESCRIPTION, measureCustomerOperations } from './dynamodb-cost.ts';
import { measureImportThroughput } from './import-throughput.ts';
import { machineFacts } from './machine.ts';
import { renderReport, writeReport } from './report.ts';
import { measureSendRate } from './send-rate.ts';

/**
 * `npm run bench [-- --runs N]`: bundle sizes, cold-init times and DynamoDB cost per customers and
 * customer activity API operation; prints the report and rewrites the generated section of BENCHMARKS.md.
 * Phases run one after another: DynamoDB Local's JVM would skew cold-init timings on 2 cores.
 */
const BASELINE = 'emptyHandler';
const SEEDED_CUSTOMERS = 40;
const DEFAULT_RUNS = '7';
const DEFAULT_IMPORT_ROWS = '10000';
/** The issue's figure: an audience of 100,000 (about 2.5 minutes here, seeding is most of it). */
const DEFAULT_AUDIENCE = '100000';
/** A campaign to this many customers at this SES rate (messages per second) through the local runtime. */
const SEND_RECIPIENTS = 300;
const SEND_RATE = 20;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: DEFAULT_RUNS },
    'import-rows': { type: 'string', default: DEFAULT_IMPORT_ROWS },
    'audience-customers': { type: 'string', default: DEFAULT_AUDIENCE },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive whole number, not ${values.runs}`);

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  return [await work(), performance.now() - started];
};

// Bundles go to a temp dir, never into the repo; removed on exit and on Ctrl-C.
const outDir = mkdtempSync(join(tmpdir(), 'cirrus-bench-'));
const cleanUp = () => rmSync(outDir, { recursive: true, force: true });
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    cleanUp();
    // process.exit runs the 'exit' hooks that stop DynamoDB Local's watchdog.
    process.exit(code);
  });
}

try {
  const started = performance.now();
  const machine = machineFacts();

  log('bundling…');
  const entries = [
    ...(Object.keys(lambdaFunctions) as LambdaFunctionName[]).map((name) => ({
      name,
      entry: lambdaFunctions[name].entry,
      files: bundledFiles[name] ?? [],
    })),
    { name: BASELINE, entry: 'bench/empty-handler.ts' },
  ];
  const [bundles, bundlingMs] = await timed(() => bundleEntries(entries, outDir));

  log(`cold init: ${runs} runs per bundle and mode…`);
  const [coldInit, coldInitMs] = await timed(() => measureColdInit(bundles, runs));

  log('DynamoDB: starting DynamoDB Local, seeding, measuring…');
  const [dynamodb, dynamodbMs] = await timed(() => measureCustomerOperations({ seed: SEEDED_CUSTOMERS }));

  log(`import: ${values['import-rows']} CSV rows through the local runtime…`);
  const [importThroughput, importMs] = await timed(async () =>
    measureImportThroughput(Number(values['import-rows'])),
  );

  log(`audience: ${values['audience-customers']} marketable customers on DynamoDB Local…`);
  const [audience, audienceMs] = await timed(async () =>
    measureAudienceBuild(Number(values['audience-customers'])),
  );

  log(`send rate: a campaign to ${SEND_RECIPIENTS} customers at SES_MAX_SEND_RATE=${SEND_RATE}…`);
  const [sendRate, sendRateMs] = await timed(async () => measureSendRate(SEND_RECIPIENTS, SEND_RATE));

  const simulator = createRequire(import.meta.url)('amplify-dynamodb-simulator/package.json') as {
    version: string;
  };
  const report = renderReport({
    date: new Date(),
    command: `npm run bench${values.runs === DEFAULT_RUNS ? '' : ` -- --runs ${runs}`}${values['import-rows'] === DEFAULT_IMPORT_ROWS ? '' : ` --import-rows ${values['import-rows']}`}${values['audience-customers'] === DEFAULT_AUDIENCE ? '' : ` --audience-customers ${values['audience-customers']}`}`,
    machine,
    dynamodbLocal: `DynamoDB Local from amplify-dynamodb-simulator ${simulator.version}`,
    durationsMs: {
      total: performance.now() - started,
      bundling: bundlingMs,
      coldInit: coldInitMs,
      dynamodb: dynamodbMs,
      import: importMs,
      audience: audienceMs,
      sendRate: sendRateMs,
    },
    bundles,
    baseline: BASELINE,
    runs,
    coldInit,
    dynamodb,
    customerBody: CUSTOMER_BODY_DESCRIPTION,
    activityBodies: ACTIVITY_DESCRIPTION,
    importThroughput,
    audience,
    sendRate,
  });
  process.stdout.write(`${report}\n`);
  writeReport(join(REPO_ROOT, 'BENCHMARKS.md'), report);
  log('wrote BENCHMARKS.md');
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
