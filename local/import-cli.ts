/**
 * `npm run import -- <file.csv|file.ndjson> [--api http://localhost:3000] [--token <jwt>]`:
 * posts the file to a running local API (`npm start`), follows the job with a progress bar and
 * prints the counts and the first skipped rows. The token defaults to a dev admin token.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { ImportJob } from '#shared/schemas/import';
import { signDevToken } from './dev-auth.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { api: { type: 'string', default: 'http://localhost:3000' }, token: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  console.error('Usage: npm run import -- <file.csv|file.ndjson> [--api URL] [--token JWT]');
  process.exit(1);
}
const contentType = /\.(nd)?jsonl?$|\.ndjson$/i.test(file) ? 'application/x-ndjson' : 'text/csv';
const token = values.token ?? (await signDevToken('admin'));
const headers = { authorization: `Bearer ${token}` };

const request = async (path: string, init: RequestInit = {}) => {
  try {
    return await fetch(`${values.api}${path}`, { ...init, headers: { ...headers, ...init.headers } });
  } catch {
    console.error(`The API is not running at ${values.api}: start it with \`npm start\` (or pass --api).`);
    process.exit(1);
  }
};

const posted = await request('/imports', {
  method: 'POST',
  headers: { 'content-type': contentType },
  body: readFileSync(file),
});
const first = (await posted.json()) as ImportJob & {
  detail?: string;
  message?: string;
  errors?: { field: string; detail: string }[];
};
if (posted.status !== 202) {
  console.error(`Import refused (${posted.status}): ${first.detail ?? first.message}`);
  for (const issue of first.errors ?? []) console.error(`  ${issue.field}: ${issue.detail}`);
  process.exit(1);
}

const bar = new SingleBar({ format: 'Importing [{bar}] {percentage}% | {value}/{total} rows | {status}' });
let job = first as ImportJob;
bar.start(job.total, 0, { status: job.status });
while (job.status === 'queued' || job.status === 'running') {
  await sleep(500);
  job = (await (await request(`/imports/${job.id}`)).json()) as ImportJob;
  bar.update(job.processed, { status: job.status });
}
bar.stop();

console.log(
  `Import ${job.id} ${job.status}: ${job.created} created, ${job.updated} updated, ` +
    `${job.unchanged} unchanged, ${job.skipped} skipped (of ${job.total}).`,
);
for (const skipped of job.skippedRows.slice(0, 10)) console.log(`  row ${skipped.row}: ${skipped.reason}`);
if (job.skipped > 10) console.log(`  … and ${job.skipped - 10} more: GET /imports/${job.id}`);
