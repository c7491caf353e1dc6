import { docsAsset, docsPage, openApiDocumentFor } from '#shared/api/docs';
import { DOCS_ASSETS } from '#shared/api/docs-assets';
import * as api from '#shared/api/meta';
import { ok } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';

const CACHE_A_DAY = { 'cache-control': 'public, max-age=86400' };

/** Public routes: health check, the OpenAPI document and the readable API reference. */
export const handler = httpApi(
  route(api.getHealth, async () => ok({ status: 'ok' })),
  route(api.getOpenApiDocument, async ({ rawEvent }) => ok(openApiDocumentFor(rawEvent))),
  route(api.getDocs, async () => ok(docsPage(), { 'cache-control': 'no-cache' })),
  route(api.getDocsScript, async () => ok(docsAsset(DOCS_ASSETS.script), CACHE_A_DAY)),
  route(api.getDocsStyles, async () => ok(docsAsset(DOCS_ASSETS.styles), CACHE_A_DAY)),
);
