import * as api from '#shared/api/automations';
import { etag, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import * as automations from '#shared/use-cases/automations';

/** Automated e-mails API: birthday and anniversary configurations (routes in shared/api/automations.ts). */
export const handler = httpApi(
  route(api.listAutomations, async ({ actor }) => ok(await automations.listAutomations(actor))),
  route(api.getAutomation, async ({ actor, path }) => {
    const automation = await automations.getAutomation(actor, path.kind);
    return ok(automation, { ETag: etag(automation.version) });
  }),
  route(api.putAutomation, async ({ actor, path, headers, body }) => {
    const automation = await automations.putAutomation(
      actor,
      path.kind,
      body,
      parseIfMatch(headers['If-Match']),
    );
    return ok(automation, { ETag: etag(automation.version) });
  }),
);
