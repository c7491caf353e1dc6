import { docsPage, docsScript, openApiDocumentFor } from '#shared/api/docs';
import * as api from '#shared/api/meta';
import { ok } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';

/** Public routes: health check, the OpenAPI document and the readable API reference. */
export const handler = httpApi(
  route(api.getHealth, async () => ok({ status: 'ok' })),
  route(api.getOpenApiDocument, async ({ rawEvent }) => ok(openApiDocumentFor(rawEvent))),
  route(api.getDocs, async () => ok(docsPage(), { 'cache-control': 'no-cache' })),
  route(api.getDocsScript, async () => ok(docsScript(), { 'cache-control': 'public, max-age=86400' })),
);
