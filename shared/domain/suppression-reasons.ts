/** Why an address gets no more marketing e-mail. */
export const SUPPRESSION_REASONS = ['hard-bounce', 'complaint', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];
