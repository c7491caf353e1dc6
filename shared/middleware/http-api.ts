import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { z } from 'zod';
import type { Operation } from '#shared/api/operation';
import { routeKey } from '#shared/api/routes';
import { config } from '#shared/config';
import type { Actor } from '#shared/domain/actor';
import { CustomerMerged, Forbidden } from '#shared/domain/errors';
import { actorFromEvent } from '#shared/http/claims';
import type { Reply } from '#shared/http/reply';
import { parseRequest } from '#shared/http/request';
import { errorResponse, replyResponse } from '#shared/http/respond';
import { logger } from '#shared/observability/logger';

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** A request as an operation handler sees it: every part already parsed by the operation's schemas. */
export interface ApiRequest<O extends Operation> {
  path: Out<O['request']['path']>;
  query: Out<O['request']['query']>;
  headers: Out<O['request']['headers']>;
  body: O['request']['body'] extends { schema: infer S } ? Out<S> : undefined;
  /** The verified caller; a system actor on public routes. */
  actor: Actor;
  requestId: string;
  lambdaContext: Context;
  rawEvent: APIGatewayProxyEventV2WithJWTAuthorizer;
}

export interface RouteHandler {
  operation: Operation;
  handle: (request: ApiRequest<Operation>) => Promise<Reply>;
}

/** Binds a handler to its operation, with the request typed from the operation's schemas. */
export const route = <O extends Operation>(
  operation: O,
  handle: (request: ApiRequest<O>) => Promise<Reply>,
): RouteHandler => ({ operation, handle: handle as RouteHandler['handle'] });

/** 308 to the same request under the surviving customer (the operation documents it). */
const movedReply = (moved: CustomerMerged, event: APIGatewayProxyEventV2WithJWTAuthorizer): Reply => {
  const path = event.rawPath.replace(`/customers/${moved.customerId}`, `/customers/${moved.mergedInto}`);
  return {
    status: 308,
    body: { customerId: moved.customerId, mergedInto: moved.mergedInto },
    headers: { Location: event.rawQueryString ? `${path}?${event.rawQueryString}` : path },
  };
};

const anonymous = (requestId: string): Actor => ({
  userId: 'anonymous',
  roles: [],
  correlationId: requestId,
});

/**
 * The Lambda handler of one resource group: routes on API Gateway's routeKey, parses the request
 * with zod, checks the caller has a CRM role, runs the operation and maps its result or typed
 * error to the response the OpenAPI document promises.
 */
export const httpApi = (...routes: RouteHandler[]) => {
  const byRouteKey = new Map(routes.map((r) => [routeKey(r.operation), r]));
  const dispatch = async (
    event: APIGatewayProxyEventV2WithJWTAuthorizer,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const handler = byRouteKey.get(event.routeKey);
    if (!handler)
      return {
        statusCode: 404,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"Not Found"}',
      };
    const { operation } = handler;
    try {
      let actor = anonymous(requestId);
      if (operation.auth === 'jwt') {
        const caller = actorFromEvent(event);
        // The authorizer rejects these before us; answer as it would if it is ever bypassed.
        if (!caller)
          return {
            statusCode: 401,
            headers: { 'content-type': 'application/json' },
            body: '{"message":"Unauthorized"}',
          };
        if (caller.roles.length === 0) throw new Forbidden('Your account has no Cirrus CRM role.');
        actor = caller;
      }
      logger.appendKeys({
        correlationId: requestId,
        operationId: operation.operationId,
        userId: actor.userId,
      });
      const parts = parseRequest(operation, event);
      const reply = await handler.handle({
        ...parts,
        actor,
        requestId,
        lambdaContext: context,
        rawEvent: event,
      } as ApiRequest<Operation>);
      return replyResponse(operation, reply);
    } catch (error) {
      if (error instanceof CustomerMerged) return replyResponse(operation, movedReply(error, event));
      return errorResponse(error, requestId);
    }
  };
  /** Every response from our functions announces the API's rate limit, as the OpenAPI document says. */
  const withRateLimit = async (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => {
    const response = await dispatch(event, context);
    return {
      ...response,
      headers: { ...response.headers, 'x-ratelimit-limit': String(config.apiRateLimit) },
    };
  };
  return middy(withRateLimit, { timeoutEarlyInMillis: 0 }).use(
    injectLambdaContext(logger, { resetKeys: true }),
  );
};
