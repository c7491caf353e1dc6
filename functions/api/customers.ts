import * as api from '#shared/api/customers';
import { onceForIdempotencyKey } from '#shared/http/idempotent';
import { created, etag, noContent, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import { DEFAULT_PAGE_SIZE } from '#shared/schemas/common';
import type { Customer } from '#shared/schemas/customer';
import * as customers from '#shared/use-cases/customers';
import * as erasure from '#shared/use-cases/erasure';
import * as merge from '#shared/use-cases/merge';
import * as privacy from '#shared/use-cases/privacy';

const createdReply = (customer: Customer) =>
  created(customer, { ETag: etag(customer.version), Location: `/customers/${customer.id}` });

/** Customers API: one Lambda for the customers resource group (routes in shared/api/customers.ts). */
export const handler = httpApi(
  route(api.createCustomer, (request) =>
    onceForIdempotencyKey(request, {
      run: async () => {
        const customer = await customers.createCustomer(request.actor, request.body);
        return { record: { customerId: customer.id }, reply: createdReply(customer) };
      },
      replay: async ({ customerId }) =>
        createdReply(await customers.getCurrentCustomer(request.actor, customerId)),
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
  route(api.mergeCustomer, async ({ actor, path, body }) => {
    const customer = await merge.mergeCustomer(actor, path.id, body.sourceId);
    return ok(customer, { ETag: etag(customer.version) });
  }),
  route(api.eraseCustomer, async ({ actor, path }) => ok(await erasure.eraseCustomer(actor, path.id))),
  route(api.findDuplicates, async ({ actor, path }) => ok(await customers.findDuplicates(actor, path.id))),
  route(api.listCustomers, async ({ actor, query }) =>
    ok(await customers.listCustomers(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE })),
  ),
);
