import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '#infra/repo-root';

/** A campaign sent through the local runtime at a configured SES rate. */
export interface SendRate {
  recipients: number;
  sent: number;
  configuredRate: number;
  achievedRate: number;
  busiestSecond: number;
  durationMs: number;
}

/** Runs bench/send-rate-run.ts in its own process (its own runtime, DynamoDB Local and SES emulator). */
export const measureSendRate = (recipients: number, rate: number): SendRate => {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench/send-rate-run.ts'), String(recipients), String(rate)],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 },
  );
  const line = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as SendRate;
};
