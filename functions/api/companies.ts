import * as api from '#shared/api/companies';
import { onceForIdempotencyKey } from '#shared/http/idempotent';
import { created, etag, noContent, ok, parseIfMatch } from '#shared/http/reply';
import { httpApi, route } from '#shared/middleware/http-api';
import { DEFAULT_PAGE_SIZE } from '#shared/schemas/common';
import type { Company } from '#shared/schemas/company';
import * as companies from '#shared/use-cases/companies';

const createdReply = (company: Company) =>
  created(company, { ETag: etag(company.version), Location: `/companies/${company.id}` });

/** Companies API: one Lambda for the companies resource group (routes in shared/api/companies.ts). */
export const handler = httpApi(
  route(api.createCompany, (request) =>
    onceForIdempotencyKey(request, {
      run: async () => {
        const company = await companies.createCompany(request.actor, request.body);
        return { record: { companyId: company.id }, reply: createdReply(company) };
      },
      replay: async ({ companyId }) => createdReply(await companies.getCompany(request.actor, companyId)),
    }),
  ),
  route(api.getCompany, async ({ actor, path }) => {
    const company = await companies.getCompany(actor, path.id);
    return ok(company, { ETag: etag(company.version) });
  }),
  route(api.updateCompany, async ({ actor, path, headers, body }) => {
    const company = await companies.updateCompany(actor, path.id, body, parseIfMatch(headers['If-Match']));
    return ok(company, { ETag: etag(company.version) });
  }),
  route(api.deleteCompany, async ({ actor, path, headers }) => {
    await companies.deleteCompany(actor, path.id, parseIfMatch(headers['If-Match']));
    return noContent();
  }),
  route(api.listCompanies, async ({ actor, query }) =>
    ok(await companies.listCompanies(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE })),
  ),
  route(api.listCompanyPeople, async ({ actor, path, query }) =>
    ok(await companies.listPeople(actor, path.id, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE })),
  ),
);
