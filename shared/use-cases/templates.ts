import { config } from '#shared/config';
import * as templatesStore from '#shared/data/templates';
import type { Actor } from '#shared/domain/actor';
import { NotFound, Unprocessable, VersionMismatch } from '#shared/domain/errors';
import { SAMPLE_CUSTOMER } from '#shared/domain/template-variables';
import { assertMayManageTemplates, assertValidTemplate } from '#shared/domain/templates';
import { PREVIEW_TOKEN } from '#shared/domain/unsubscribe-token';
import { renderMarketingContent, unsubscribeUrl } from '#shared/email/marketing-message';
import { newId, nowIso } from '#shared/ids';
import type { Customer } from '#shared/schemas/customer';
import type {
  CreateTemplateRequest,
  RenderedTemplate,
  RenderTemplateRequest,
  Template,
  UpdateTemplateRequest,
} from '#shared/schemas/template';
import { getCurrentCustomer } from './customers.ts';
import { retryLostRaces } from './retry-races.ts';

/** Template use cases: the library (admins, managers, marketing) and previews. */

const read = async (id: string, consistent = false): Promise<Template> => {
  const template = await templatesStore.getTemplate(id, { consistent });
  if (!template) throw new NotFound(`No template ${id}.`);
  return template;
};

const checkVersion = (template: Template, ifMatch?: number | '*') => {
  if (typeof ifMatch === 'number' && ifMatch !== template.version) {
    throw new VersionMismatch(`The template is at version ${template.version}, not ${ifMatch}.`);
  }
};

export const createTemplate = async (actor: Actor, input: CreateTemplateRequest): Promise<Template> => {
  assertMayManageTemplates(actor);
  assertValidTemplate(input);
  const now = nowIso();
  const template: Template = {
    id: newId(),
    ...input,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: actor.userId,
    updatedBy: actor.userId,
  };
  await templatesStore.insertTemplate(template);
  return template;
};

export const getTemplate = async (actor: Actor, id: string): Promise<Template> => {
  assertMayManageTemplates(actor);
  return read(id);
};

export const listTemplates = async (actor: Actor, page: { limit: number; cursor?: string }) => {
  assertMayManageTemplates(actor);
  return templatesStore.listTemplates(page);
};

/** Merge patch; the changed parts are parsed again. With If-Match a lost race is 412, without it is retried. */
export const updateTemplate = async (
  actor: Actor,
  id: string,
  patch: UpdateTemplateRequest,
  ifMatch?: number | '*',
): Promise<Template> => {
  assertMayManageTemplates(actor);
  assertValidTemplate(patch);
  return retryLostRaces(
    async () => {
      const current = await read(id, true);
      checkVersion(current, ifMatch);
      const changed = (Object.keys(patch) as (keyof UpdateTemplateRequest)[]).some(
        (key) => patch[key] !== current[key],
      );
      if (!changed) return current;
      const next: Template = {
        ...current,
        ...patch,
        version: current.version + 1,
        updatedAt: nowIso(),
        updatedBy: actor.userId,
      };
      await templatesStore.replaceTemplate(next, current.version);
      return next;
    },
    { versionPinned: typeof ifMatch === 'number' },
  );
};

export const deleteTemplate = async (actor: Actor, id: string, ifMatch?: number | '*'): Promise<void> => {
  assertMayManageTemplates(actor);
  await retryLostRaces(
    async () => {
      const current = await read(id, true);
      checkVersion(current, ifMatch);
      await templatesStore.deleteTemplate(id, current.version);
    },
    { versionPinned: typeof ifMatch === 'number' },
  );
};

/** The customer to preview for; one that does not exist is a 422 naming `customerId` (the template exists). */
export const previewCustomer = async (actor: Actor, customerId: string) => {
  try {
    return await getCurrentCustomer(actor, customerId);
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    throw new Unprocessable([{ in: 'body', field: 'customerId', detail: error.message }]);
  }
};

/** A template as a preview shows it: the placeholder unsubscribe link, the sender's postal address. */
export const renderForPreview = (
  template: Pick<Template, 'subject' | 'html' | 'text'>,
  customer: Customer,
  campaignName?: string,
) =>
  renderMarketingContent(template, customer, {
    ...(campaignName ? { campaign: { id: '00000000000000000000000000', name: campaignName } } : {}),
    unsubscribeUrl: unsubscribeUrl(PREVIEW_TOKEN),
    postalAddress: config.senderPostalAddress,
  });

/**
 * Renders the template as the customer would get it (footer included); without `customerId`, for
 * the sample customer. A merged customer id renders for the survivor.
 */
export const renderTemplatePreview = async (
  actor: Actor,
  id: string,
  request: RenderTemplateRequest,
): Promise<RenderedTemplate> => {
  assertMayManageTemplates(actor);
  const template = await read(id);
  const customer = request.customerId ? await previewCustomer(actor, request.customerId) : SAMPLE_CUSTOMER;
  const content = await renderForPreview(template, customer, request.campaignName);
  return { ...content, renderedAt: nowIso(), customerId: request.customerId ? customer.id : null };
};
