import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaFunctions } from '#functions/catalog';
import { bundledFiles, ESM_REQUIRE_BANNER, lambdaEsbuildOptions } from '#infra/bundling-options';
import { REPO_ROOT } from '#infra/repo-root';

const outdir = mkdtempSync(join(tmpdir(), 'cirrus-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('shared esbuild options', () => {
  it('bundle an entry into an ESM module that loads on this Node.js and exports handler', async () => {
    const outfile = join(outdir, 'meta.mjs');
    await build({
      ...lambdaEsbuildOptions,
      entryPoints: [join(REPO_ROOT, lambdaFunctions.metaApi.entry)],
      outfile,
      logLevel: 'silent',
    });
    const module = (await import(pathToFileURL(outfile).href)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });

  it('define require for CommonJS dependencies and target Lambda', () => {
    expect(lambdaEsbuildOptions).toMatchObject({
      format: 'esm',
      platform: 'node',
      target: 'node22',
      minify: true,
    });
    expect(lambdaEsbuildOptions.banner.js).toBe(ESM_REQUIRE_BANNER);
    expect(ESM_REQUIRE_BANNER).toMatch(/const require = \w+\(import\.meta\.url\)/);
  });

  it('copy the API reference page files next to metaApi, from files that exist', () => {
    expect(bundledFiles.metaApi?.map((file) => file.to).sort()).toEqual([
      'swagger-ui-bundle.js',
      'swagger-ui.css',
    ]);
    for (const file of bundledFiles.metaApi ?? []) expect(existsSync(file.from)).toBe(true);
  });
});
