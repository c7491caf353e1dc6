import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '#infra/repo-root';

/** What one import of a generated CSV took on the local runtime, from POST to the completed job. */
export interface ImportThroughput {
  rows: number;
  bytes: number;
  acceptedMs: number;
  totalMs: number;
  status: string;
  created: number;
  skipped: number;
}

/** Runs bench/import-run.ts in its own process (its own runtime and DynamoDB Local). */
export const measureImportThroughput = (rows: number): ImportThroughput => {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench/import-run.ts'), String(rows)],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 },
  );
  const line = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as ImportThroughput;
};
