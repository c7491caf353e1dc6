import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '#local/table';
import { customerOperations } from '#shared/api/customers';
import { operations } from '#shared/api/routes';
import { asUser } from '../helpers/customers-api.ts';

/**
 * Property: whatever a client sends, the customers handler answers with a status the operation
 * documents, and never 500.
 */
const admin = asUser('admin');
const documented = (operationId: string) =>
  Object.keys(customerOperations.find((o) => o.operationId === operationId)?.responses ?? {}).map(Number);

/** JSON values with the shapes and edge cases clients get wrong: deep nesting, huge strings, odd types. */
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.record(
    {
      name: fc.oneof(
        fc.string(),
        fc.string({ minLength: 190, maxLength: 400 }),
        fc.integer(),
        fc.constant(null),
      ),
      emails: fc.oneof(
        fc.array(fc.record({ address: fc.oneof(fc.emailAddress(), fc.string()) })),
        fc.string(),
      ),
      tags: fc.array(fc.string(), { maxLength: 30 }),
      lifecycleStage: fc.string(),
      customFields: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 60 }),
      consent: fc.jsonValue({ maxDepth: 3 }),
      __proto__: fc.jsonValue({ maxDepth: 1 }),
      constructor: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
);

beforeAll(async () => {
  await ensureTable(process.env.DYNAMODB_ENDPOINT ?? '', process.env.TABLE_NAME ?? '');
});

describe('hostile input to the customers API', () => {
  it('never answers 500 or an undocumented status to create', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJson, async (body) => {
        const result = await admin.create(body);
        expect(documented('createCustomer')).toContain(result.status);
        expect(result.status).not.toBe(500);
      }),
      { numRuns: 150 },
    );
  });

  it('never answers 500 to raw bodies, odd ids, headers and query strings', async () => {
    const customer = await admin.create({ name: 'Target' });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        fc.dictionary(
          fc.constantFrom('limit', 'cursor', 'tag', 'ownerId', 'lifecycleStage', 'x'),
          fc.string(),
        ),
        async (raw, ifMatch, query) => {
          const update = await admin.update(customer.body.id, raw, { 'If-Match': ifMatch });
          expect(documented('updateCustomer')).toContain(update.status);
          const list = await admin.list(query);
          expect(documented('listCustomers')).toContain(list.status);
          const read = await admin.get(raw.slice(0, 40));
          expect(documented('getCustomer')).toContain(read.status);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('hostile input to every operation', () => {
  /** Path parameter values: a real id, a well-formed unknown one, and junk. */
  const pathValue = (realId: string) =>
    fc.oneof(fc.constant(realId), fc.constant('01JDQ3Z7YB8V5X1G6N2K4M9P0R'), fc.string({ maxLength: 60 }));
  const rawBody = fc.oneof(
    fc.string({ maxLength: 500 }),
    hostileJson.map((value) => JSON.stringify(value)),
  );

  it.each(operations.map((operation) => [operation.operationId, operation] as const))(
    '%s never answers 500 or an undocumented status',
    async (_id, operation) => {
      const customer = (await admin.create({ name: 'Hostile target' })).body;
      const statuses = Object.keys(operation.responses).map(Number);
      const queryKeys = Object.keys(operation.request.query?.shape ?? {});
      const contentTypes = [
        ...(operation.request.body?.contentTypes ?? []),
        'text/plain',
        'application/json',
      ];
      await fc.assert(
        fc.asyncProperty(
          pathValue(customer.id),
          pathValue(customer.id),
          rawBody,
          fc.constantFrom(...contentTypes),
          fc.dictionary(fc.constantFrom(...queryKeys, 'x'), fc.string({ maxLength: 40 }), { maxKeys: 3 }),
          async (id, second, body, contentType, query) => {
            const result = await admin.request(`${operation.method} ${operation.path}`, {
              pathParameters: { id, interactionId: second, code: second },
              body: operation.method === 'GET' || operation.method === 'DELETE' ? undefined : body,
              headers: { 'content-type': contentType },
              query,
            });
            expect(statuses, `${result.status} ${JSON.stringify(result.body)}`).toContain(result.status);
          },
        ),
        { numRuns: 20 },
      );
    },
  );
});

describe('requests the schemas alone would get wrong', () => {
  it('names a __proto__ key at any depth instead of dropping it', async () => {
    const result = await admin.request('POST /customers', {
      body: '{"name":"X","customFields":{"__proto__":{"plan":"pro"}}}',
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([expect.objectContaining({ field: 'customFields.__proto__' })]);
  });

  it('refuses a body sent to an operation that takes none, and accepts an empty object', async () => {
    const customer = (await admin.create({ name: 'No body' })).body;
    const withBody = await admin.request('POST /customers/{id}/erase', {
      pathParameters: { id: customer.id },
      body: { confirm: true },
    });
    expect(withBody.status).toBe(400);
    expect(withBody.body.errors[0].detail).toMatch(/takes no request body/);
    expect((await admin.get(customer.id)).status).toBe(200);
    const empty = await admin.request('POST /customers/{id}/erase', {
      pathParameters: { id: customer.id },
      body: {},
    });
    expect(empty.status).toBe(200);
  });
});

describe('character sets', () => {
  it('answers 415 to a body declared in another charset than UTF-8, and takes UTF-8 declared', async () => {
    const latin = await admin.request('POST /customers', {
      body: { name: 'Zoë' },
      headers: { 'content-type': 'application/json; charset=latin1' },
    });
    expect(latin.status).toBe(415);
    const utf8 = await admin.request('POST /customers', {
      body: { name: 'Zoë' },
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    });
    expect(utf8).toMatchObject({ status: 201, body: { name: 'Zoë' } });
  });
});
