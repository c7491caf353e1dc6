/**
 * Child process of `npm run bench`: starts the local runtime (its own DynamoDB Local, in memory),
 * posts a 10,000-row CSV to POST /imports and waits for the job to complete, printing the result as
 * one JSON line. A process of its own: handler modules keep the endpoints they were imported with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRuntime } from '#local/runtime';
import type { ImportJob } from '#shared/schemas/import';

const IMPORT_ROWS = Number(process.argv[2] ?? 10_000);

const home = mkdtempSync(join(tmpdir(), 'cirrus-bench-import-'));
process.env.CIRRUS_HOME = home;
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const { signDevToken } = await import('#local/dev-auth');

const runId = Math.random().toString(36).slice(2, 8);
const lines = ['firstName,lastName,email,phone,company,tags'];
for (let n = 0; n < IMPORT_ROWS; n++) {
  lines.push(
    `Bench,Person ${n},bench-${runId}-${n}@example.com,+1415555${String(n).padStart(4, '0')},Example Ltd,bench;import`,
  );
}
const csv = `${lines.join('\n')}\n`;

const runtime = await startLocalRuntime({ port: 0, sesPort: 0, inMemory: true, quiet: true });
try {
  const headers = { authorization: `Bearer ${await signDevToken('admin')}` };
  const started = performance.now();
  const posted = await fetch(`${runtime.apiUrl}/imports`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/csv' },
    body: csv,
  });
  if (posted.status !== 202)
    throw new Error(`POST /imports answered ${posted.status}: ${await posted.text()}`);
  const acceptedMs = performance.now() - started;
  let job = (await posted.json()) as ImportJob;
  while (job.status === 'queued' || job.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 200));
    job = (await (await fetch(`${runtime.apiUrl}/imports/${job.id}`, { headers })).json()) as ImportJob;
  }
  const totalMs = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify({ rows: IMPORT_ROWS, bytes: Buffer.byteLength(csv), acceptedMs, totalMs, status: job.status, created: job.created, skipped: job.skipped })}\n`,
  );
} finally {
  await runtime.stop();
  rmSync(home, { recursive: true, force: true });
}
