import { getCompany, listPeopleIds } from '#shared/data/companies';
import type { Actor } from '#shared/domain/actor';
import { CustomerMerged, NotFound } from '#shared/domain/errors';
import { updateCustomer } from './customers.ts';

const PAGE = 100;

/**
 * After a company is renamed (`company.updated` with `name` among the changed fields), each
 * linked person's `company` display name follows, page by page through the company's people.
 * Each person is re-linked through the customer use case, which copies the company's current name
 * (a rename racing this one ends with the latest name); running it twice changes nothing more.
 */
export const copyCompanyNameToPeople = async (companyId: string, correlationId: string): Promise<number> => {
  const company = await getCompany(companyId, { consistent: true });
  if (!company) return 0;
  const actor: Actor = { userId: 'system:company-rename', roles: ['admin'], correlationId };
  let renamed = 0;
  let cursor: string | undefined;
  do {
    const page = await listPeopleIds(companyId, { limit: PAGE, cursor });
    for (const id of page.ids) {
      let changes = false;
      try {
        await updateCustomer(actor, id, (current) => {
          changes = current.companyId === companyId && current.company !== company.name;
          return changes ? { company: company.name } : {};
        });
      } catch (error) {
        // Gone since the link was read (deleted, erased, merged): its link went with it.
        if (error instanceof NotFound || error instanceof CustomerMerged) continue;
        throw error;
      }
      if (changes) renamed++;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return renamed;
};
