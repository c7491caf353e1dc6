import * as api from '#shared/api/activity';
import { created, etag, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import { DEFAULT_PAGE_SIZE } from '#shared/schemas/common';
import * as activity from '#shared/use-cases/activity';

/** Customer activity API: purchases, interactions, timeline (routes in shared/api/activity.ts). */
export const handler = httpApi(
  route(api.recordPurchase, async ({ actor, path, body }) => {
    const { purchase, created: isNew } = await activity.recordPurchase(actor, path.id, body);
    return isNew ? created(purchase) : ok(purchase);
  }),
  route(api.logInteraction, async ({ actor, path, body }) =>
    created(await activity.logInteraction(actor, path.id, body)),
  ),
  route(api.updateInteraction, async ({ actor, path, headers, body }) => {
    const interaction = await activity.updateInteraction(
      actor,
      path.id,
      path.interactionId,
      body,
      parseIfMatch(headers['If-Match']),
    );
    return ok(interaction, { ETag: etag(interaction.revision ?? 0) });
  }),
  route(api.getTimeline, async ({ actor, path, query }) =>
    ok(
      await activity.getTimeline(actor, path.id, {
        cursor: query.cursor,
        limit: query.limit ?? DEFAULT_PAGE_SIZE,
      }),
    ),
  ),
);
