import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The contract (shared/api), the schemas, the domain rules and the event catalog load without AWS:
 * they are imported by the local runtime's own process, the OpenAPI build and the CDK app, where
 * creating an SDK client (a data module does at import) would pick up the wrong endpoint.
 */
const root = join(import.meta.dirname, '..', '..');
const filesOf = (folder: string) =>
  readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));

describe('module boundaries', () => {
  it.each(['shared/api', 'shared/schemas', 'shared/domain', 'events'])(
    '%s imports no data module, SDK client or use case',
    (folder) => {
      const offenders = filesOf(folder).filter((file) =>
        /from '#shared\/(data|clients|use-cases)\//.test(readFileSync(join(root, file), 'utf8')),
      );
      expect(offenders).toEqual([]);
    },
  );
});
