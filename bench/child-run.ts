import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '#infra/repo-root';

/**
 * Runs a bench script in a process of its own (its own runtime, DynamoDB Local and emulators:
 * handler modules keep the endpoints they were first imported with) and returns the JSON object
 * it prints on its last line.
 */
export const runBenchChild = <T>(script: string, args: (string | number)[]): T => {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench', script), ...args.map(String)],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 },
  );
  return JSON.parse(output.trim().split('\n').at(-1) ?? '') as T;
};
