/** Summary of repeated timings: the median resists the odd slow run that a busy 2-core machine produces. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median, min and max of a non-empty list of samples. */
export const summarize = (samples: readonly number[]): Summary => {
  if (samples.length === 0) throw new Error('summarize needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: sorted.length };
};
