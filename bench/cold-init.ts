import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type Summary, summarize } from './stats.ts';

const run = promisify(execFile);

/**
 * The whole child program: time the import of the bundle and nothing else. Node's own boot happens
 * before the first `performance.now()`, so it is left out: every function pays it alike.
 */
const PROBE = [
  'const started = performance.now();',
  'await import(process.argv[1]);',
  'process.stdout.write(String(performance.now() - started));',
].join('\n');

/**
 * How Lambda starts the process. CrmFunction sets NODE_OPTIONS=--enable-source-maps on every
 * function, which makes Node read and parse the bundle's source map at load; the run without it
 * shows what that costs.
 */
export const INIT_MODES = [
  {
    id: 'lambda',
    label: 'as deployed (NODE_OPTIONS=--enable-source-maps)',
    nodeOptions: '--enable-source-maps',
  },
  { id: 'plain', label: 'without source maps', nodeOptions: '' },
] as const;
export type InitModeId = (typeof INIT_MODES)[number]['id'];

/** A bundle to import: `name` labels the row, `file` is the absolute path of its index.mjs. */
export interface InitTarget {
  name: string;
  file: string;
}

export interface ColdInitResult {
  name: string;
  /** Milliseconds from before `import()` to after it resolved, per mode. */
  byMode: Record<InitModeId, Summary>;
}

/**
 * The variables Lambda (and our stack) set that module-scope code reads: SDK clients want a region
 * and credentials, config reads table and bus names, Powertools its log level. Nothing else is
 * inherited from this process, so tsx's loader flags and the developer's AWS profile stay out.
 */
const childEnv = (name: string, nodeOptions: string): NodeJS.ProcessEnv => ({
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: name,
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  TABLE_NAME: 'cirrus-bench',
  EVENT_BUS_NAME: 'cirrus-bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  NODE_OPTIONS: nodeOptions,
});

/** Imports one bundle in a brand-new Node process and returns the import's duration in ms. */
const importOnce = async (target: InitTarget, nodeOptions: string): Promise<number> => {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '--eval', PROBE, pathToFileURL(target.file).href],
      { env: childEnv(target.name, nodeOptions), timeout: 30_000 },
    );
    const ms = Number(stdout.trim());
    if (!Number.isFinite(ms)) throw new Error(`unexpected output ${JSON.stringify(stdout)}`);
    return ms;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`Importing ${target.name} (${target.file}) failed: ${stderr || String(error)}`);
  }
};

/**
 * Measures each target `runs` times per mode, one process at a time (a parallel run would measure
 * contention on 2 cores). Rounds interleave the targets, so a slow patch of the machine spreads
 * over all of them instead of skewing one; a first, discarded round warms the page cache, as
 * Lambda's code is on local disk by the time it imports it.
 */
export const measureColdInit = async (
  targets: readonly InitTarget[],
  runs: number,
): Promise<ColdInitResult[]> => {
  const samples = new Map(
    targets.map((t) => [t.name, new Map(INIT_MODES.map((m) => [m.id, [] as number[]]))]),
  );
  for (let round = 0; round <= runs; round++) {
    for (const target of targets) {
      for (const mode of INIT_MODES) {
        const ms = await importOnce(target, mode.nodeOptions);
        if (round > 0) samples.get(target.name)?.get(mode.id)?.push(ms);
      }
    }
  }
  return targets.map(({ name }) => ({
    name,
    byMode: Object.fromEntries(
      INIT_MODES.map((mode) => [mode.id, summarize(samples.get(name)?.get(mode.id) ?? [])]),
    ) as Record<InitModeId, Summary>,
  }));
};
