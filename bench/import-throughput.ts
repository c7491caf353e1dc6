import { runBenchChild } from './child-run.ts';

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
export const measureImportThroughput = (rows: number): ImportThroughput =>
  runBenchChild<ImportThroughput>('import-run.ts', [rows]);
