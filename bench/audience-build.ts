import { runBenchChild } from './child-run.ts';

/** Building a segment's audience from the marketable index on DynamoDB Local. */
export interface AudienceBuild {
  customers: number;
  matched: number;
  seedMs: number;
  buildMs: number;
}

/** Runs bench/audience-run.ts in its own process (its own DynamoDB Local). */
export const measureAudienceBuild = (customers: number): AudienceBuild =>
  runBenchChild<AudienceBuild>('audience-run.ts', [customers]);
