import { z } from 'zod';
import { defineOperation } from './operation.ts';

/** Public operations served by the metaApi function: health, the OpenAPI document, readable docs. */

const tooMany = {
  '429': {
    description: 'Too many requests (API Gateway throttling)',
    content: { 'application/json': { schema: z.strictObject({ message: z.string().max(200) }) } },
  },
};

export const Health = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health' });

export const getHealth = defineOperation({
  operationId: 'getHealth',
  method: 'GET',
  path: '/health',
  function: 'metaApi',
  auth: 'none',
  tag: 'Meta',
  summary: 'Liveness check',
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
  request: {},
  responses: {
    '200': {
      description: 'OpenAPI 3.1 document',
      content: {
        'application/json': {
          schema: z.looseObject({ openapi: z.string().max(10) }).meta({ maxProperties: 20 }),
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
  request: {},
  responses: {
    '200': { description: 'HTML page', content: { 'text/html': { schema: z.string().max(10_000) } } },
    ...tooMany,
  },
});

export const getDocsScript = defineOperation({
  operationId: 'getDocsScript',
  method: 'GET',
  path: '/docs/scalar.js',
  function: 'metaApi',
  auth: 'none',
  tag: 'Meta',
  summary: 'Script of the API reference page (served by us: no CDN needed)',
  request: {},
  responses: {
    '200': {
      description: 'JavaScript',
      content: { 'text/javascript': { schema: z.string().max(20_000_000) } },
    },
    ...tooMany,
  },
});

export const metaOperations = [getHealth, getOpenApiDocument, getDocs, getDocsScript] as const;
