import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildOpenApiDocument } from './openapi.ts';

/** Serves the OpenAPI document and the Scalar API reference page, all from our own origin. */

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
  </head>
  <body>
    <script id="api-reference" data-url="/openapi.json"></script>
    <script src="/docs/scalar.js"></script>
  </body>
</html>
`;

/**
 * In Lambda the CDK bundling copies the script beside the handler as scalar.js; locally it is read
 * from the npm package.
 */
const scriptPath = () => {
  const bundled = fileURLToPath(new URL('./scalar.js', import.meta.url));
  if (existsSync(bundled)) return bundled;
  // The package does not export the standalone script: find it beside its main entry (dist/).
  const main = createRequire(import.meta.url).resolve('@scalar/api-reference');
  return join(dirname(main), 'browser', 'standalone.js');
};

let script: string | undefined;
export const docsScript = () => {
  script ??= readFileSync(scriptPath(), 'utf8');
  return script;
};
