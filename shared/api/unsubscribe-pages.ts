/**
 * The small HTML pages of the public unsubscribe routes. Static text only: they show nothing about
 * the person (a link may be forwarded), and the same "done" page answers every outcome.
 */
const page = (title: string, body: string) =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<meta name="robots" content="noindex">' +
  `<title>${title}</title>` +
  '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}' +
  'button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}</style></head>' +
  `<body><h1>${title}</h1>${body}</body></html>`;

/** GET: asks for a click, so that mail scanners following links unsubscribe no one. */
export const confirmationPage = () =>
  page(
    'Unsubscribe from our e-mails?',
    '<p>Click the button to stop receiving marketing e-mails from us.</p>' +
      '<form method="post"><input type="hidden" name="confirm" value="page">' +
      '<button type="submit">Unsubscribe</button></form>',
  );

/** POST: the same page whatever happened (unsubscribed now, before, or the person is gone). */
export const unsubscribedPage = () =>
  page(
    'You are unsubscribed',
    '<p>You will not receive marketing e-mails from us any more. ' +
      'It can take a moment for a message already on its way to arrive.</p>',
  );

/** Both routes for the link of a preview or a test e-mail: nothing to do, and it says so. */
export const previewPage = () =>
  page(
    'This is a preview link',
    '<p>This unsubscribe link comes from a preview or a test e-mail: it unsubscribes no one. ' +
      'The e-mails your customers get carry their own link.</p>',
  );

/** Headers of the pages: never cached (the page answers a personal link), no scripts, no framing. */
export const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
} as const;
