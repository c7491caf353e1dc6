import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's location so it works from any working directory. */
export const repoRoot: string = fileURLToPath(new URL('..', import.meta.url));

/**
 * The local runtime's state directory (dev auth key, DynamoDB data, stream checkpoints):
 * `CIRRUS_HOME` when set (tests point it at a temp dir), else `.cirrus/` at the repo root.
 * Created on first use.
 */
export const cirrusHome = (): string => {
  const dir = process.env.CIRRUS_HOME ? resolve(process.env.CIRRUS_HOME) : join(repoRoot, '.cirrus');
  mkdirSync(dir, { recursive: true });
  return dir;
};
