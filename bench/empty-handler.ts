/**
 * The baseline for cold-init ratios: a handler with no dependencies, bundled with the same options
 * as the real functions, so the ratio cancels out Node's own start-up and the ESM loader.
 */
export const handler = async () => ({});
