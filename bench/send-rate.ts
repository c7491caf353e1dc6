import { runBenchChild } from './child-run.ts';

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
export const measureSendRate = (recipients: number, rate: number): SendRate =>
  runBenchChild<SendRate>('send-rate-run.ts', [recipients, rate]);
