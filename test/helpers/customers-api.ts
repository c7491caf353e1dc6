import { handler } from '#functions/api/customers';
import type { Role } from '#shared/domain/actor';
import { apiEvent, lambdaContext } from './api-event.ts';

/** Calls the customers Lambda handler directly, as API Gateway would, for a user with a role. */
export const asUser = (role: Role, userId = `dev-${role}`) => {
  const claims = { sub: userId, 'cognito:groups': `[${role}]` };
  const call = async (
    routeKey: string,
    options: Omit<Parameters<typeof apiEvent>[0], 'routeKey' | 'claims'> = {},
  ) => {
    const result = (await handler(
      apiEvent({ routeKey, claims, ...options }),
      lambdaContext('customersApi'),
    )) as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
    };
    return {
      status: result.statusCode,
      headers: result.headers ?? {},
      body: result.body ? JSON.parse(result.body) : undefined,
    };
  };
  return {
    create: (body: unknown, headers?: Record<string, string>) => call('POST /customers', { body, headers }),
    get: (id: string) => call('GET /customers/{id}', { pathParameters: { id } }),
    update: (id: string, body: unknown, headers?: Record<string, string>) =>
      call('PATCH /customers/{id}', { pathParameters: { id }, body, headers }),
    remove: (id: string, headers?: Record<string, string>) =>
      call('DELETE /customers/{id}', { pathParameters: { id }, headers }),
    list: (query: Record<string, string> = {}) => call('GET /customers', { query }),
  };
};
