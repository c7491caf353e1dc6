import * as api from '#shared/api/templates';
import { onceForIdempotencyKey } from '#shared/http/idempotent';
import { created, etag, noContent, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import { DEFAULT_PAGE_SIZE } from '#shared/schemas/common';
import type { Template } from '#shared/schemas/template';
import * as templates from '#shared/use-cases/templates';

const createdReply = (template: Template) =>
  created(template, { ETag: etag(template.version), Location: `/templates/${template.id}` });

/** E-mail templates API (routes in shared/api/templates.ts). */
export const handler = httpApi(
  route(api.createTemplate, (request) =>
    onceForIdempotencyKey(request, {
      run: async () => {
        const template = await templates.createTemplate(request.actor, request.body);
        return { record: { templateId: template.id }, reply: createdReply(template) };
      },
      replay: async ({ templateId }) => createdReply(await templates.getTemplate(request.actor, templateId)),
    }),
  ),
  route(api.listTemplates, async ({ actor, query }) =>
    ok(await templates.listTemplates(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE })),
  ),
  route(api.getTemplate, async ({ actor, path }) => {
    const template = await templates.getTemplate(actor, path.id);
    return ok(template, { ETag: etag(template.version) });
  }),
  route(api.updateTemplate, async ({ actor, path, headers, body }) => {
    const template = await templates.updateTemplate(actor, path.id, body, parseIfMatch(headers['If-Match']));
    return ok(template, { ETag: etag(template.version) });
  }),
  route(api.deleteTemplate, async ({ actor, path, headers }) => {
    await templates.deleteTemplate(actor, path.id, parseIfMatch(headers['If-Match']));
    return noContent();
  }),
  route(api.renderTemplate, async ({ actor, path, body }) =>
    ok(await templates.renderTemplatePreview(actor, path.id, body)),
  ),
);
