import { companyLinkWrites, getCompany } from '#shared/data/companies';
import { ExtraWriteConditionFailed } from '#shared/data/transaction-errors';
import { Unprocessable } from '#shared/domain/errors';

/**
 * A person's link to a company (`companyId`): the company must exist, `company` shows its name,
 * and the link items are written in the person's own transaction.
 */

const unknownCompany = (companyId: string) =>
  new Unprocessable([{ in: 'body', field: 'companyId', detail: `No company ${companyId}` }]);

/**
 * `fields` with `company` set to the linked company's name, when the request links a company or
 * sets `company` while a link stays (the display name follows the link). A missing company is a 422.
 */
export const withLinkedCompanyName = async <T extends { company?: string | null; companyId?: string | null }>(
  fields: T,
  currentCompanyId?: string,
): Promise<T> => {
  const companyId = fields.companyId === undefined ? currentCompanyId : (fields.companyId ?? undefined);
  if (!companyId || (fields.companyId === undefined && fields.company === undefined)) return fields;
  // Strongly consistent: a company created a moment ago must not look unknown.
  const company = await getCompany(companyId, { consistent: true });
  if (!company) throw unknownCompany(companyId);
  return { ...fields, company: company.name };
};

/**
 * Runs a person's write with the writes that move the link from `before` to `after` placed first
 * among its extra writes. The company's ConditionCheck failing (a company deleted since it was
 * read) is a 422 too: the transaction wrote nothing, so no link points nowhere.
 */
export const commitWithCompanyLink = async (
  link: { customerId: string; before?: string; after?: string },
  write: (linkWrites: Record<string, unknown>[]) => Promise<void>,
): Promise<void> => {
  try {
    await write(companyLinkWrites(link.customerId, link.before, link.after));
  } catch (error) {
    const linking = link.after !== undefined && link.after !== link.before;
    if (linking && error instanceof ExtraWriteConditionFailed && error.extraIndex === 0) {
      throw unknownCompany(link.after as string);
    }
    throw error;
  }
};
