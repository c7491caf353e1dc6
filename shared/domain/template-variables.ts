import type { Customer } from '#shared/schemas/customer';

/**
 * The variables a template may use, built by a pure function from a customer and the message's
 * context. Every documented key is always present (null when the customer has no value), so
 * `{{ customer.company | default: "your team" }}` works and a missing value prints nothing.
 *
 * | Variable                      | Value                                                    |
 * |-------------------------------|----------------------------------------------------------|
 * | customer.id                   | the customer's id                                        |
 * | customer.name                 | full name                                                |
 * | customer.firstName            | first word of the name                                   |
 * | customer.lastName             | the rest of the name (null for a one-word name)          |
 * | customer.email                | the address the message goes to (first e-mail)           |
 * | customer.company, .title      | employer's display name, job title (or null)             |
 * | customer.lifecycleStage       | lead, prospect, customer, loyal, at-risk, churned        |
 * | customer.tags                 | list of tags (loop with `{% for tag in customer.tags %}`) |
 * | customer.preferredLanguage    | e.g. `en-GB` (or null)                                   |
 * | customer.customFields.<key>   | a custom field's value (absent keys print nothing)       |
 * | campaign.id, campaign.name    | the campaign sending the message (null outside one)      |
 * | unsubscribeUrl                | the recipient's one-click unsubscribe page               |
 * | sender.postalAddress          | the sender's postal address                              |
 */
export interface TemplateVariables {
  customer: {
    id: string;
    name: string;
    firstName: string;
    lastName: string | null;
    email: string | null;
    company: string | null;
    title: string | null;
    lifecycleStage: string;
    tags: string[];
    preferredLanguage: string | null;
    customFields: Customer['customFields'];
  };
  campaign: { id: string | null; name: string | null };
  unsubscribeUrl: string;
  sender: { postalAddress: string };
}

export interface MessageContext {
  campaign?: { id: string; name: string };
  unsubscribeUrl: string;
  postalAddress: string;
}

/** Variable paths a template may name (customer.customFields.* takes any key). */
export const KNOWN_VARIABLES: Record<keyof TemplateVariables, readonly string[] | 'leaf'> = {
  customer: [
    'id',
    'name',
    'firstName',
    'lastName',
    'email',
    'company',
    'title',
    'lifecycleStage',
    'tags',
    'preferredLanguage',
    'customFields',
  ],
  campaign: ['id', 'name'],
  unsubscribeUrl: 'leaf',
  sender: ['postalAddress'],
};

export const splitName = (name: string): { firstName: string; lastName: string | null } => {
  const [first = name, ...rest] = name.trim().split(/\s+/);
  return { firstName: first, lastName: rest.length > 0 ? rest.join(' ') : null };
};

export const templateVariables = (customer: Customer, context: MessageContext): TemplateVariables => ({
  customer: {
    id: customer.id,
    name: customer.name,
    ...splitName(customer.name),
    email: customer.emails[0]?.address ?? null,
    company: customer.company ?? null,
    title: customer.title ?? null,
    lifecycleStage: customer.lifecycleStage,
    tags: [...customer.tags],
    preferredLanguage: customer.preferredLanguage ?? null,
    // A plain copy: templates read own properties only.
    customFields: { ...customer.customFields },
  },
  campaign: { id: context.campaign?.id ?? null, name: context.campaign?.name ?? null },
  unsubscribeUrl: context.unsubscribeUrl,
  sender: { postalAddress: context.postalAddress },
});

/** The customer previews use when no customer is named. */
export const SAMPLE_CUSTOMER: Customer = {
  id: '01JDQ3Z7YB8V5X1G6N2K4M9P0R',
  name: 'Ada Lovelace',
  emails: [{ address: 'ada@example.com', label: 'work' }],
  phones: [],
  company: 'Analytical Engines Ltd',
  title: 'Head of Research',
  tags: ['vip', 'newsletter'],
  lifecycleStage: 'customer',
  consent: { email: { status: 'granted', source: 'sample' } },
  customFields: {},
  preferredLanguage: 'en-GB',
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'system:sample',
};
