import * as z from 'zod';
import { MAX_UNSUBSCRIBE_BODY } from '#shared/domain/unsubscribe-request';
import { PREVIEW_TOKEN, TOKEN_PATTERN } from '#shared/domain/unsubscribe-token';
import { defineOperation, errorResponses } from './operation.ts';
import { PAGE_HEADERS } from './unsubscribe-pages.ts';

/** The public unsubscribe routes (no token: the link is the credential), served by unsubscribeApi. */

const CODE_PATTERN = new RegExp(`^(?:${PREVIEW_TOKEN}|${TOKEN_PATTERN.source.slice(1, -1)})$`);

export const UnsubscribePath = z.strictObject({
  code: z
    .string()
    .max(200)
    .regex(CODE_PATTERN, 'Must be the token of an unsubscribe link')
    .meta({
      description: `The signed token of the e-mail's unsubscribe link; \`${PREVIEW_TOKEN}\` in previews and test e-mails, whose link unsubscribes no one`,
    }),
});

const pageHeaders = z.strictObject({
  'Cache-Control': z.enum([PAGE_HEADERS['Cache-Control']]),
  'X-Content-Type-Options': z.enum([PAGE_HEADERS['X-Content-Type-Options']]),
  'Content-Security-Policy': z
    .string()
    .max(200)
    .regex(/^default-src 'none';[ -~]*$/),
});

const htmlPage = (description: string) => ({
  description,
  headers: pageHeaders,
  content: { 'text/html': { schema: z.string().max(5_000) } },
});

const NOT_OURS =
  'A token that is not well-formed is a 400; one we did not sign (forged, altered, cut short) a 404. Neither ' +
  'depends on any customer, so a token reveals nothing about other people.';

export const getUnsubscribePage = defineOperation({
  operationId: 'getUnsubscribePage',
  method: 'GET',
  path: '/unsubscribe/{code}',
  function: 'unsubscribeApi',
  auth: 'none',
  tag: 'Unsubscribe',
  summary: 'Unsubscribe confirmation page (HTML)',
  description:
    "The page an e-mail's unsubscribe link opens. Needs no token: the signed link is the credential. It changes " +
    `nothing (mail scanners follow links): its button POSTs to the same URL. ${NOT_OURS}`,
  request: { path: UnsubscribePath },
  responses: {
    '200': htmlPage(
      `Confirmation page with an Unsubscribe button (for \`${PREVIEW_TOKEN}\`: a page saying the link unsubscribes no one)`,
    ),
    ...errorResponses(400, 404),
  },
});

export const unsubscribe = defineOperation({
  operationId: 'unsubscribe',
  method: 'POST',
  path: '/unsubscribe/{code}',
  function: 'unsubscribeApi',
  auth: 'none',
  tag: 'Unsubscribe',
  summary: "Unsubscribe (RFC 8058 one-click, or the confirmation page's button)",
  description:
    'Withdraws e-mail marketing consent of the person the link names (`consent.email` becomes `denied`, source ' +
    '`one-click` or `unsubscribe-page`), records it on their timeline and publishes `customer.unsubscribed`. ' +
    'Mail clients send `List-Unsubscribe=One-Click` (RFC 8058); the page sends `confirm=page`; an empty body is ' +
    'taken as one-click. Idempotent: a second click changes nothing. Answers the same page whatever happened, ' +
    `also when the person was erased or deleted since (a merged person is unsubscribed at the survivor). ${NOT_OURS}`,
  request: {
    path: UnsubscribePath,
    body: {
      schema: z
        .strictObject({
          'List-Unsubscribe': z.enum(['One-Click']).optional().meta({ description: 'RFC 8058 one-click' }),
          confirm: z.enum(['page']).optional().meta({ description: "The confirmation page's button" }),
        })
        .meta({
          description: `Form fields (at most ${MAX_UNSUBSCRIBE_BODY} characters), or an empty body (one-click)`,
          example: { 'List-Unsubscribe': 'One-Click' },
        }),
      contentTypes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
      raw: true,
      optional: true,
    },
  },
  responses: {
    '200': htmlPage(
      `Done: the same page for every outcome (for \`${PREVIEW_TOKEN}\`: nothing changes, and the page says so)`,
    ),
    ...errorResponses(400, 404, 415),
  },
});

export const unsubscribeOperations = [getUnsubscribePage, unsubscribe] as const;
