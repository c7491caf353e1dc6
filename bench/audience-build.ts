import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '#infra/repo-root';

/** Building a segment's audience from the marketable index on DynamoDB Local. */
export interface AudienceBuild {
  customers: number;
  matched: number;
  seedMs: number;
  buildMs: number;
}

/** Runs bench/audience-run.ts in its own process (its own DynamoDB Local). */
export const measureAudienceBuild = (customers: number): AudienceBuild => {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench/audience-run.ts'), String(customers)],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 },
  );
  const line = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as AudienceBuild;
};
