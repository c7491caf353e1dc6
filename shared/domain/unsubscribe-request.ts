import { ValidationFailed } from '#shared/domain/errors';
import type { UnsubscribeSource } from '#shared/schemas/activity';

/**
 * What an unsubscribe POST says. Mail clients send RFC 8058's `List-Unsubscribe=One-Click`
 * (application/x-www-form-urlencoded, or multipart/form-data); our confirmation page's button
 * sends `confirm=page`; some clients send nothing at all. Anything else is a 400.
 */
export const MAX_UNSUBSCRIBE_BODY = 1000;

export const unsubscribeSourceOf = (body: string | undefined, mediaType: string): UnsubscribeSource => {
  if (body === undefined || body.trim() === '') return 'one-click';
  if (body.length > MAX_UNSUBSCRIBE_BODY) {
    throw new ValidationFailed([
      { in: 'body', field: '', detail: `At most ${MAX_UNSUBSCRIBE_BODY} characters` },
    ]);
  }
  // A multipart body's parts are not needed: the POST to the link is the request.
  if (mediaType === 'multipart/form-data') return 'one-click';
  const fields = new URLSearchParams(body.trim());
  const names = [...new Set(fields.keys())];
  const unknown = names.filter((name) => name !== 'List-Unsubscribe' && name !== 'confirm');
  if (unknown.length > 0) {
    throw new ValidationFailed(
      unknown
        .slice(0, 5)
        .map((name) => ({ in: 'body' as const, field: name.slice(0, 100), detail: 'Unknown field' })),
    );
  }
  const oneClick = fields.get('List-Unsubscribe');
  if (oneClick !== null && oneClick !== 'One-Click') {
    throw new ValidationFailed([{ in: 'body', field: 'List-Unsubscribe', detail: 'Must be One-Click' }]);
  }
  const confirm = fields.get('confirm');
  if (confirm !== null && confirm !== 'page') {
    throw new ValidationFailed([{ in: 'body', field: 'confirm', detail: 'Must be page' }]);
  }
  return oneClick === null && confirm === 'page' ? 'unsubscribe-page' : 'one-click';
};
