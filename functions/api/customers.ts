import * as api from '#shared/api/customers';
import { onceForIdempotencyKey } from '#shared/http/idempotent';
import { created, etag, noContent, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import { DEFAULT_PAGE_SIZE } from '#shared/schemas/common';
import * as customers from '#shared/use-cases/customers';
import * as privacy from '#shared/use-cases/privacy';

/** Customers API: one Lambda for the customers resource group (routes in shared/api/customers.ts). */
export const handler = httpApi(
  route(api.createCustomer, (request) =>
    onceForIdempotencyKey(request, async () => {
      const customer = await customers.createCustomer(request.actor, request.body);
      return created(customer, { ETag: etag(customer.version), Location: `/customers/${customer.id}` });
    }),
  ),
  route(api.getCustomer, async ({ actor, path }) => {
    const customer = await customers.getCustomer(actor, path.id);
    return ok(customer, { ETag: etag(customer.version) });
  }),
  route(api.updateCustomer, async ({ actor, path, headers, body }) => {
    const customer = await customers.updateCustomer(actor, path.id, body, parseIfMatch(headers['If-Match']));
    return ok(customer, { ETag: etag(customer.version) });
  }),
  route(api.deleteCustomer, async ({ actor, path, headers }) => {
    await customers.deleteCustomer(actor, path.id, parseIfMatch(headers['If-Match']));
    return noContent();
  }),
  route(api.exportCustomer, async ({ actor, path }) => ok(await privacy.exportCustomer(actor, path.id))),
  route(api.findDuplicates, async ({ actor, path }) => ok(await customers.findDuplicates(actor, path.id))),
  route(api.listCustomers, async ({ actor, query }) =>
    ok(await customers.listCustomers(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE })),
  ),
);
