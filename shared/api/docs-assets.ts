/**
 * The API reference page's static files (Swagger UI, from the swagger-ui-dist package). Served by
 * the metaApi function itself, so /docs works without reaching a CDN; the CDK bundling copies them
 * beside the handler (infra/bundling-options.ts), locally they are read from node_modules.
 */
export const DOCS_ASSET_PACKAGE_DIR = 'node_modules/swagger-ui-dist';

export const DOCS_ASSETS = {
  script: {
    route: '/docs/swagger-ui-bundle.js',
    file: 'swagger-ui-bundle.js',
    contentType: 'text/javascript',
  },
  styles: { route: '/docs/swagger-ui.css', file: 'swagger-ui.css', contentType: 'text/css' },
} as const;
export type DocsAsset = (typeof DOCS_ASSETS)[keyof typeof DOCS_ASSETS];
