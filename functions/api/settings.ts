import * as api from '#shared/api/settings';
import { etag, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import * as customFields from '#shared/use-cases/custom-fields';

/** Workspace settings API: the custom field definitions (routes in shared/api/settings.ts). */
export const handler = httpApi(
  route(api.getCustomFields, async ({ actor }) => {
    const settings = await customFields.getCustomFields(actor);
    return ok(settings, { ETag: etag(settings.version) });
  }),
  route(api.replaceCustomFields, async ({ actor, headers, body }) => {
    const settings = await customFields.replaceCustomFields(actor, body, parseIfMatch(headers['If-Match']));
    return ok(settings, { ETag: etag(settings.version) });
  }),
);
