import * as z from 'zod';
import { MULTILINE_TEXT, singleLine, Timestamp, Ulid, UserId, versionedRecordFields } from './common.ts';

/**
 * E-mail templates: a subject, an HTML body and a text body, each a Liquid template over the
 * variables of shared/domain/template-variables.ts. Sizes are bounded so that a stored template
 * (worst case 3 bytes per UTF-16 unit) stays far below DynamoDB's 400 KB item limit.
 */
export const TEMPLATE_LIMITS = {
  name: 200,
  subject: 300,
  html: 60_000,
  text: 30_000,
} as const;

/** Multi-line text: tabs and line breaks allowed, other control characters not. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const ONE_LINE = /^[^\x00-\x1f\x7f]*$/;

const body = (max: number, description: string) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(MULTILINE_TEXT, 'Must not contain control characters other than tab and line breaks')
    .refine((value) => value.isWellFormed(), 'Must be well-formed Unicode')
    .meta({ description });

const TemplateName = singleLine(TEMPLATE_LIMITS.name).meta({
  description: 'Name shown in the template library',
  example: 'Spring newsletter',
});
const TemplateSubject = singleLine(TEMPLATE_LIMITS.subject).meta({
  description: 'Subject line (Liquid, not HTML-escaped)',
  example: 'Hello {{ customer.firstName | default: "there" }}, our spring picks',
});
const TemplateHtml = body(
  TEMPLATE_LIMITS.html,
  'HTML body (Liquid; every output is HTML-escaped). The unsubscribe link and postal address are appended.',
);
const TemplateText = body(
  TEMPLATE_LIMITS.text,
  'Plain-text body (Liquid, not escaped). The unsubscribe link and postal address are appended.',
);

export const CreateTemplateRequest = z
  .strictObject({ name: TemplateName, subject: TemplateSubject, html: TemplateHtml, text: TemplateText })
  .meta({ id: 'CreateTemplateRequest' });
export type CreateTemplateRequest = z.infer<typeof CreateTemplateRequest>;

export const UpdateTemplateRequest = z
  .strictObject({
    name: TemplateName.optional(),
    subject: TemplateSubject.optional(),
    html: TemplateHtml.optional(),
    text: TemplateText.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'Send at least one field to change' })
  .meta({ id: 'UpdateTemplateRequest', minProperties: 1 });
export type UpdateTemplateRequest = z.infer<typeof UpdateTemplateRequest>;

export const Template = z
  .strictObject({
    id: Ulid.meta({ example: '01JDQ3Z7YB8V5X1G6N2K4M9T01' }),
    name: TemplateName,
    subject: TemplateSubject,
    html: TemplateHtml,
    text: TemplateText,
    ...versionedRecordFields,
    updatedBy: UserId,
  })
  .meta({ id: 'Template' });
export type Template = z.infer<typeof Template>;

/** A summary for the library listing: the bodies are left out to keep pages small. */
export const TemplateSummary = Template.pick({
  id: true,
  name: true,
  subject: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  createdBy: true,
  updatedBy: true,
}).meta({ id: 'TemplateSummary' });
export type TemplateSummary = z.infer<typeof TemplateSummary>;

export const RenderTemplateRequest = z
  .strictObject({
    customerId: Ulid.optional().meta({
      description: 'Render for this customer; without it, for a built-in sample customer',
    }),
    campaignName: singleLine(200)
      .optional()
      .meta({ description: 'Value of `campaign.name` in the preview', example: 'Spring sale' }),
  })
  .meta({ id: 'RenderTemplateRequest' });
export type RenderTemplateRequest = z.infer<typeof RenderTemplateRequest>;

export const RenderedTemplate = z
  .strictObject({
    subject: z.string().max(1000).regex(ONE_LINE),
    html: z.string().max(250_000).regex(MULTILINE_TEXT),
    text: z.string().max(150_000).regex(MULTILINE_TEXT),
    renderedAt: Timestamp,
    customerId: Ulid.nullable().meta({ description: 'null when rendered for the sample customer' }),
  })
  .meta({
    id: 'RenderedTemplate',
    description:
      'What the recipient would get, footer included (postal address and unsubscribe link). In a preview the ' +
      'unsubscribe link is a placeholder that unsubscribes no one.',
  });
export type RenderedTemplate = z.infer<typeof RenderedTemplate>;
