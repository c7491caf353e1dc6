import * as api from '#shared/api/segments';
import { onceForIdempotencyKey } from '#shared/http/idempotent';
import { created, etag, noContent, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import { DEFAULT_PAGE_SIZE } from '#shared/schemas/common';
import type { Segment } from '#shared/schemas/segment';
import * as segments from '#shared/use-cases/segments';
import * as suppressions from '#shared/use-cases/suppressions';

const createdReply = (segment: Segment) =>
  created(segment, { ETag: etag(segment.version), Location: `/segments/${segment.id}` });

/** Segments and suppression list API: one Lambda (routes in shared/api/segments.ts). */
export const handler = httpApi(
  route(api.createSegment, (request) =>
    onceForIdempotencyKey(request, {
      run: async () => {
        const segment = await segments.createSegment(request.actor, request.body);
        return { record: { segmentId: segment.id }, reply: createdReply(segment) };
      },
      replay: async ({ segmentId }) => createdReply(await segments.getSegment(request.actor, segmentId)),
    }),
  ),
  route(api.listSegments, async ({ actor, query }) =>
    ok(await segments.listSegments(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE })),
  ),
  route(api.getSegment, async ({ actor, path }) => {
    const segment = await segments.getSegment(actor, path.id);
    return ok(segment, { ETag: etag(segment.version) });
  }),
  route(api.updateSegment, async ({ actor, path, headers, body }) => {
    const segment = await segments.updateSegment(actor, path.id, body, parseIfMatch(headers['If-Match']));
    return ok(segment, { ETag: etag(segment.version) });
  }),
  route(api.deleteSegment, async ({ actor, path, headers }) => {
    await segments.deleteSegment(actor, path.id, parseIfMatch(headers['If-Match']));
    return noContent();
  }),
  route(api.previewSegment, async ({ actor, path }) => ok(await segments.previewSegment(actor, path.id))),
  route(api.listSuppressions, async ({ actor, query }) =>
    ok(await suppressions.listSuppressions(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE })),
  ),
  route(api.addSuppression, async ({ actor, body }) => {
    const { suppression, created: isNew } = await suppressions.addSuppression(actor, body);
    return isNew ? created(suppression) : ok(suppression);
  }),
  route(api.removeSuppression, async ({ actor, path }) => {
    await suppressions.removeSuppression(actor, path.email);
    return noContent();
  }),
);
