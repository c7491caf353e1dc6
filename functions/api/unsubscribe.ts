import * as api from '#shared/api/unsubscribe';
import { confirmationPage, PAGE_HEADERS, previewPage, unsubscribedPage } from '#shared/api/unsubscribe-pages';
import { unsubscribeSourceOf } from '#shared/domain/unsubscribe-request';
import { PREVIEW_TOKEN } from '#shared/domain/unsubscribe-token';
import { ok } from '#shared/http/reply';
import { mediaTypeOf } from '#shared/http/request';
import { httpApi, route } from '#shared/middleware/http-api';
import { logger } from '#shared/observability/logger';
import { readUnsubscribeLink, unsubscribe } from '#shared/use-cases/unsubscribe';

/** Public unsubscribe routes (shared/api/unsubscribe.ts): no JWT, the signed link is the credential. */
export const handler = httpApi(
  route(api.getUnsubscribePage, async ({ path }) => {
    if (path.code === PREVIEW_TOKEN) return ok(previewPage(), { ...PAGE_HEADERS });
    await readUnsubscribeLink(path.code);
    return ok(confirmationPage(), { ...PAGE_HEADERS });
  }),
  route(api.unsubscribe, async ({ path, body, rawEvent, requestId }) => {
    if (path.code === PREVIEW_TOKEN) return ok(previewPage(), { ...PAGE_HEADERS });
    // A raw body: the handler gets the text (the schema documents the form fields it may hold).
    const source = unsubscribeSourceOf(body as unknown as string | undefined, mediaTypeOf(rawEvent));
    const outcome = await unsubscribe(path.code, source, requestId);
    logger.info('Unsubscribe', { outcome, source });
    return ok(unsubscribedPage(), { ...PAGE_HEADERS });
  }),
);
