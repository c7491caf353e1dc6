import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { type BundledFile, lambdaEsbuildOptions } from '#infra/bundling-options';
import { REPO_ROOT } from '#infra/repo-root';

/** A function to bundle: `entry` is relative to the repo root, as in functions/catalog.ts. */
export interface BundleEntry {
  name: string;
  entry: string;
  /** Files the deployment copies beside the bundle (`bundledFiles` in infra/bundling-options.ts). */
  files?: readonly BundledFile[];
}

/** Bytes a package (or package scope) contributes to the minified output. */
export interface InputShare {
  name: string;
  bytes: number;
}

export interface BundleResult extends BundleEntry {
  /** Absolute path of the bundled `index.mjs` (in the temp dir). */
  file: string;
  bytes: number;
  /** zlib's default level (6): roughly what a deployment zip's deflate achieves. */
  gzipBytes: number;
  /** Largest contributors first. */
  inputs: InputShare[];
  /** Total size of `files`, shipped in the same zip. */
  filesBytes: number;
}

/**
 * Groups an esbuild input path by what a reader would act on: a scoped package by its scope
 * (`@smithy/*` is one decision, not forty), an unscoped one by name, our own files as "our code".
 */
const inputGroup = (path: string): string => {
  const parts = path.split('node_modules/');
  if (parts.length === 1) return 'our code';
  const [first = '', second = ''] = (parts[parts.length - 1] ?? '').split('/');
  return first.startsWith('@') ? `${first}/*` : first || second;
};

const inputShares = (metafile: Metafile): InputShare[] => {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs'))?.[1];
  const totals = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const group = inputGroup(path);
    totals.set(group, (totals.get(group) ?? 0) + input.bytesInOutput);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
};

/**
 * Bundles each entry into `outDir/<name>/index.mjs` with exactly the esbuild options the CDK app
 * uses (infra/bundling-options.ts), so the bytes measured are the bytes that ship. The only
 * additions say where to read and write, and ask for a metafile, which does not change the output.
 * `.mjs`, as NodejsFunction names ESM output, makes Node load the file as ESM without a package.json.
 * The extra files are copied beside it as CrmFunction's afterBundling hook does, so a handler that
 * reads them at init finds them.
 */
export const bundleEntries = async (
  entries: readonly BundleEntry[],
  outDir: string,
): Promise<BundleResult[]> =>
  Promise.all(
    entries.map(async ({ name, entry, files = [] }) => {
      const file = join(outDir, name, 'index.mjs');
      const { metafile } = await build({
        ...lambdaEsbuildOptions,
        entryPoints: [resolve(REPO_ROOT, entry)],
        outfile: file,
        absWorkingDir: REPO_ROOT,
        metafile: true,
        logLevel: 'warning',
      });
      let filesBytes = 0;
      for (const extra of files) {
        const to = join(outDir, name, extra.to);
        copyFileSync(resolve(REPO_ROOT, extra.from), to);
        filesBytes += statSync(to).size;
      }
      const code = readFileSync(file);
      return {
        name,
        entry,
        files,
        filesBytes,
        file,
        bytes: code.length,
        gzipBytes: gzipSync(code).length,
        inputs: inputShares(metafile),
      };
    }),
  );
