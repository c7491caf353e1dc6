import { handler as automationsHandler } from '#functions/api/automations';
import { handler as campaignsHandler } from '#functions/api/campaigns';
import { handler as companiesHandler } from '#functions/api/companies';
import { handler as activityHandler } from '#functions/api/customer-activity';
import { handler } from '#functions/api/customers';
import { handler as importsHandler } from '#functions/api/imports';
import { handler as metaHandler } from '#functions/api/meta';
import { handler as segmentsHandler } from '#functions/api/segments';
import { handler as settingsHandler } from '#functions/api/settings';
import { handler as templatesHandler } from '#functions/api/templates';
import { handler as unsubscribeHandler } from '#functions/api/unsubscribe';
import type { LambdaFunctionName, lambdaFunctions } from '#functions/catalog';
import { operations } from '#shared/api/routes';
import type { Role } from '#shared/domain/actor';
import { apiEvent, lambdaContext } from './api-event.ts';

/** The API functions' handlers by catalog name, as API Gateway's integrations route to them. */
type ApiFunctionName = {
  [K in LambdaFunctionName]: (typeof lambdaFunctions)[K]['kind'] extends 'api' ? K : never;
}[LambdaFunctionName];

/** Typed by the catalog: a new API function must be added here, or type-checking fails. */
const apiHandlers: Record<ApiFunctionName, typeof handler> = {
  customersApi: handler,
  campaignsApi: campaignsHandler,
  customerActivityApi: activityHandler,
  companiesApi: companiesHandler,
  settingsApi: settingsHandler,
  importsApi: importsHandler,
  metaApi: metaHandler,
  segmentsApi: segmentsHandler,
  templatesApi: templatesHandler,
  unsubscribeApi: unsubscribeHandler,
  automationsApi: automationsHandler,
};

/** Calls the API's Lambda handlers directly, as API Gateway would, for a user with a role. */
export const asUser = (role: Role, userId = `dev-${role}`) => {
  const claims = { sub: userId, 'cognito:groups': `[${role}]`, token_use: 'access' };
  const call = async (
    routeKey: string,
    options: Omit<Parameters<typeof apiEvent>[0], 'routeKey' | 'claims'> = {},
  ) => {
    // The route table says which function serves the route, as API Gateway's integrations do.
    const fn = operations.find((operation) => `${operation.method} ${operation.path}` === routeKey)?.function;
    const target = (fn && apiHandlers[fn as ApiFunctionName]) || handler;
    const result = (await target(
      apiEvent({ routeKey, claims, ...options }),
      lambdaContext((fn as LambdaFunctionName | undefined) ?? 'customersApi'),
    )) as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
    };
    return {
      status: result.statusCode,
      headers: result.headers ?? {},
      body:
        result.body && (result.headers?.['content-type'] ?? '').includes('json')
          ? JSON.parse(result.body)
          : result.body,
    };
  };
  return {
    /** Any route, by its route key (`POST /imports`). */
    request: call,
    create: (body: unknown, headers?: Record<string, string>) => call('POST /customers', { body, headers }),
    get: (id: string) => call('GET /customers/{id}', { pathParameters: { id } }),
    update: (id: string, body: unknown, headers?: Record<string, string>) =>
      call('PATCH /customers/{id}', { pathParameters: { id }, body, headers }),
    remove: (id: string, headers?: Record<string, string>) =>
      call('DELETE /customers/{id}', { pathParameters: { id }, headers }),
    list: (query: Record<string, string> = {}) => call('GET /customers', { query }),
    recordPurchase: (id: string, body: unknown) =>
      call('POST /customers/{id}/purchases', { pathParameters: { id }, body }),
    logInteraction: (id: string, body: unknown) =>
      call('POST /customers/{id}/interactions', { pathParameters: { id }, body }),
    updateInteraction: (id: string, interactionId: string, body: unknown) =>
      call('PATCH /customers/{id}/interactions/{interactionId}', {
        pathParameters: { id, interactionId },
        body,
      }),
    duplicates: (id: string) => call('GET /customers/{id}/duplicates', { pathParameters: { id } }),
    exportData: (id: string) => call('GET /customers/{id}/export', { pathParameters: { id } }),
    merge: (id: string, sourceId: string) =>
      call('POST /customers/{id}/merge', { pathParameters: { id }, body: { sourceId } }),
    erase: (id: string) => call('POST /customers/{id}/erase', { pathParameters: { id } }),
    timeline: (id: string, query: Record<string, string> = {}) =>
      call('GET /customers/{id}/timeline', { pathParameters: { id }, query }),
    createCompany: (body: unknown, headers?: Record<string, string>) =>
      call('POST /companies', { body, headers }),
    getCompany: (id: string) => call('GET /companies/{id}', { pathParameters: { id } }),
    updateCompany: (id: string, body: unknown, headers?: Record<string, string>) =>
      call('PATCH /companies/{id}', { pathParameters: { id }, body, headers }),
    removeCompany: (id: string, headers?: Record<string, string>) =>
      call('DELETE /companies/{id}', { pathParameters: { id }, headers }),
    listCompanies: (query: Record<string, string> = {}) => call('GET /companies', { query }),
    people: (id: string, query: Record<string, string> = {}) =>
      call('GET /companies/{id}/people', { pathParameters: { id }, query }),
    getCustomFields: () => call('GET /settings/custom-fields'),
    putCustomFields: (body: unknown, headers?: Record<string, string>) =>
      call('PUT /settings/custom-fields', { body, headers }),
  };
};
