import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: catalog entries and bundled files are paths relative to it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
