import type { BuildOptions } from 'esbuild';
import type { LambdaFunctionName } from '#functions/catalog';
import { DOCS_ASSET_PACKAGE_DIR, DOCS_ASSETS } from '#shared/api/docs-assets';

/**
 * How every Lambda entry is bundled, in esbuild's own terms. The CDK construct (CrmFunction) and
 * `npm run bench` both read this object, so the bundle that is measured is the bundle that ships.
 * This file must not import aws-cdk-lib: the bench loads it without the CDK.
 */

/**
 * ESM output cannot `require()`, but some bundled dependencies are CommonJS and call it for Node
 * built-ins; a module-scope `require` made with createRequire keeps them working. The import is
 * aliased so it cannot collide with a `createRequire` of the bundled code.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __cirrusCreateRequire } from 'node:module'; const require = __cirrusCreateRequire(import.meta.url);";

export const lambdaEsbuildOptions = {
  bundle: true,
  platform: 'node',
  /** Lambda runs nodejs22.x (see CrmFunction). */
  target: 'node22',
  format: 'esm',
  /** Prefer the ESM build of a package, so esbuild can tree-shake it (the AWS SDK v3 above all). */
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: true,
  /** Stack traces only need line mappings; the sources would double the map's size. */
  sourcesContent: false,
  banner: { js: ESM_REQUIRE_BANNER },
} as const satisfies BuildOptions;

/** A file copied next to a function's bundle: `from` is relative to the repo root. */
export interface BundledFile {
  from: string;
  to: string;
}

/**
 * Files a handler reads from beside itself at run time. metaApi serves the API reference page's
 * script and styles from its own bundle, because the page must work without a CDN.
 */
export const bundledFiles: Partial<Record<LambdaFunctionName, readonly BundledFile[]>> = {
  metaApi: Object.values(DOCS_ASSETS).map((asset) => ({
    from: `${DOCS_ASSET_PACKAGE_DIR}/${asset.file}`,
    to: asset.file,
  })),
};
