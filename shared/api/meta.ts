import * as z from 'zod';
import { DOCS_ASSETS, type DocsAsset } from './docs-assets.ts';
import { defineOperation, errorResponses } from './operation.ts';

/** Public operations served by the metaApi function: health, the OpenAPI document, readable docs. */

const tooMany = errorResponses();

export const Health = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health' });

export const getHealth = defineOperation({
  operationId: 'getHealth',
  method: 'GET',
  path: '/health',
  function: 'metaApi',
  auth: 'none',
  tag: 'Meta',
  summary: 'Liveness check',
  description: 'Answers 200 while the API and its function are up. Needs no token.',
  request: {},
  responses: {
    '200': { description: 'The API is up', content: { 'application/json': { schema: Health } } },
    ...tooMany,
  },
});

export const getOpenApiDocument = defineOperation({
  operationId: 'getOpenApiDocument',
  method: 'GET',
  path: '/openapi.json',
  function: 'metaApi',
  auth: 'none',
  tag: 'Meta',
  summary: 'This API as an OpenAPI 3.1 document',
  description: 'Generated from the same zod schemas that validate requests and responses. Needs no token.',
  request: {},
  responses: {
    '200': {
      description: 'OpenAPI 3.1 document',
      content: {
        'application/json': {
          schema: z
            .looseObject({
              openapi: z
                .string()
                .max(10)
                .regex(/^3\.1\.\d+$/),
            })
            .meta({ maxProperties: 20 }),
        },
      },
    },
    ...tooMany,
  },
});

export const getDocs = defineOperation({
  operationId: 'getDocs',
  method: 'GET',
  path: '/docs',
  function: 'metaApi',
  auth: 'none',
  tag: 'Meta',
  summary: 'Readable API reference (HTML)',
  description: 'Swagger UI for this document. Needs no token.',
  request: {},
  responses: {
    '200': { description: 'HTML page', content: { 'text/html': { schema: z.string().max(10_000) } } },
    ...tooMany,
  },
});

const docsAsset = (asset: DocsAsset, operationId: string, summary: string) =>
  defineOperation({
    operationId,
    method: 'GET',
    path: asset.route,
    function: 'metaApi',
    auth: 'none',
    tag: 'Meta',
    summary,
    description: 'Served by the API itself, so the docs work without reaching a CDN. Needs no token.',
    request: {},
    responses: {
      '200': {
        description: asset.file,
        content: { [asset.contentType]: { schema: z.string().max(5_000_000) } },
      },
      ...tooMany,
    },
  });

export const getDocsScript = docsAsset(
  DOCS_ASSETS.script,
  'getDocsScript',
  'Script of the API reference page',
);
export const getDocsStyles = docsAsset(
  DOCS_ASSETS.styles,
  'getDocsStyles',
  'Styles of the API reference page',
);

export const metaOperations = [getHealth, getOpenApiDocument, getDocs, getDocsScript, getDocsStyles] as const;
