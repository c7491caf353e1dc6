import { activityOperations } from './activity.ts';
import { automationOperations } from './automations.ts';
import { campaignOperations } from './campaigns.ts';
import { companyOperations } from './companies.ts';
import { customerOperations } from './customers.ts';
import { importOperations } from './imports.ts';
import { metaOperations } from './meta.ts';
import type { Operation } from './operation.ts';
import { segmentOperations } from './segments.ts';
import { settingsOperations } from './settings.ts';
import { templateOperations } from './templates.ts';
import { unsubscribeOperations } from './unsubscribe.ts';

/**
 * The route table: every operation of the HTTP API. infra/ makes one API Gateway route per entry,
 * local/ serves the same routes, and shared/api/openapi.ts documents them.
 */
export const operations: readonly Operation[] = [
  ...metaOperations,
  ...customerOperations,
  ...activityOperations,
  ...companyOperations,
  ...settingsOperations,
  ...importOperations,
  ...campaignOperations,
  ...segmentOperations,
  ...templateOperations,
  ...unsubscribeOperations,
  ...automationOperations,
];

/** API Gateway's route key for an operation, e.g. `GET /customers/{id}`. */
export const routeKey = (operation: Pick<Operation, 'method' | 'path'>): string =>
  `${operation.method} ${operation.path}`;
