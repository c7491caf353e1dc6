import * as z from 'zod';
import { Timestamp, Ulid, UserId } from './common.ts';

/**
 * Automated e-mails: one configuration per kind (a template and an on/off switch). The daily
 * `automatedEmails` function sends each enabled kind to the marketable customers whose day it is.
 */

export const AUTOMATION_KINDS = ['birthday', 'anniversary'] as const;
export const AutomationKind = z.enum(AUTOMATION_KINDS).meta({
  id: 'AutomationKind',
  description:
    "`birthday`: on the customer's birthday (people born on 29 February are greeted on 28 February in other years); " +
    '`anniversary`: on the anniversary of their first purchase (`purchaseSummary.firstPurchaseAt`, UTC), from one year on',
});
export type AutomationKind = z.infer<typeof AutomationKind>;

export const PutAutomationRequest = z
  .strictObject({
    templateId: Ulid.meta({ description: 'The e-mail template to send (must exist)' }),
    enabled: z.boolean().meta({ description: 'Whether the daily run sends it' }),
  })
  .meta({ id: 'PutAutomationRequest' });
export type PutAutomationRequest = z.infer<typeof PutAutomationRequest>;

export const Automation = z
  .strictObject({
    kind: AutomationKind,
    enabled: z.boolean(),
    templateId: Ulid.nullable().meta({ description: 'null until it is first configured' }),
    version: z.int().min(0).max(2_147_483_647).meta({
      format: 'int32',
      description: 'Also sent as the ETag; 0 (ETag "0") while it was never configured',
    }),
    createdAt: Timestamp.optional().meta({
      description: 'When it was first configured (absent at version 0)',
    }),
    createdBy: UserId.optional(),
    updatedAt: Timestamp.optional(),
    updatedBy: UserId.optional(),
  })
  .meta({ id: 'Automation', description: 'The configuration of one kind of automated e-mail' });
export type Automation = z.infer<typeof Automation>;

export const AutomationList = z
  .strictObject({ items: z.array(Automation).max(AUTOMATION_KINDS.length) })
  .meta({ id: 'AutomationList', description: 'Every kind, configured or not, in a fixed order' });
export type AutomationList = z.infer<typeof AutomationList>;
