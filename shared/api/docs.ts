import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DOCS_ASSET_PACKAGE_DIR, DOCS_ASSETS, type DocsAsset } from './docs-assets.ts';
import { buildOpenApiDocument } from './openapi.ts';

/** Serves the OpenAPI document and the Swagger UI page, all from our own origin. */

const documents = new Map<string, ReturnType<typeof buildOpenApiDocument>>();

/** The document names the server the caller reached (API Gateway sets X-Forwarded-Proto). */
export const openApiDocumentFor = (event: APIGatewayProxyEventV2) => {
  const protocol = event.headers?.['x-forwarded-proto'] ?? 'https';
  const serverUrl = `${protocol}://${event.requestContext.domainName}`;
  let document = documents.get(serverUrl);
  if (!document) {
    document = buildOpenApiDocument(serverUrl);
    documents.set(serverUrl, document);
  }
  return document;
};

export const docsPage = () => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Cirrus CRM API</title>
    <link rel="stylesheet" href="${DOCS_ASSETS.styles.route}" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_ASSETS.script.route}"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
    </script>
  </body>
</html>
`;

/** In Lambda the files sit beside the bundled handler; locally they are read from node_modules. */
const assetPath = (asset: DocsAsset) => {
  const bundled = fileURLToPath(new URL(`./${asset.file}`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  return join(repoRoot, DOCS_ASSET_PACKAGE_DIR, asset.file);
};

const cache = new Map<string, string>();
export const docsAsset = (asset: DocsAsset): string => {
  let content = cache.get(asset.file);
  if (content === undefined) {
    content = readFileSync(assetPath(asset), 'utf8');
    cache.set(asset.file, content);
  }
  return content;
};
