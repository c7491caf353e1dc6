import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { version as esbuildVersion } from 'esbuild';

/** What the numbers were measured on: timings only compare between runs on similar machines. */
export interface MachineFacts {
  /** `nproc`: the CPUs this process may use (cgroup/affinity aware), not the host's total. */
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  /** 1, 5 and 15 minutes: other work on the machine is the main source of timing noise. */
  loadAverage: number[];
  node: string;
  esbuild: string;
}

const nproc = (): number => {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // No coreutils (e.g. Windows): Node's view of the same thing.
    return availableParallelism();
  }
};

/** Collects the machine facts printed with every report. */
export const machineFacts = (): MachineFacts => ({
  nproc: nproc(),
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  os: `${process.platform} ${release()} ${process.arch}`,
  loadAverage: loadavg(),
  node: process.version,
  esbuild: esbuildVersion,
});
