import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { type Actor, isRole, type Role } from '#shared/domain/actor';
import { UserId } from '#shared/schemas/common';

/**
 * The caller, from the claims the API Gateway JWT authorizer already verified. API Gateway
 * flattens array claims into a string like "[admin sales]", so groups are parsed from that form
 * (and from a plain array or comma list, to be lenient).
 */
export const parseGroups = (claim: unknown): Role[] => {
  const values = Array.isArray(claim)
    ? claim.map(String)
    : typeof claim === 'string'
      ? claim.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  return [...new Set(values.filter(isRole))];
};

export const actorFromEvent = (event: APIGatewayProxyEventV2WithJWTAuthorizer): Actor | undefined => {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  // The authorizer also lets Cognito ID tokens through (their `aud` is the app client): only an
  // access token is a credential for the API.
  if (claims?.token_use !== 'access') return undefined;
  const sub = claims?.sub;
  // A sub we could not store as an owner id (only a non-Cognito issuer could send one) is no identity.
  if (typeof sub !== 'string' || !UserId.safeParse(sub).success) return undefined;
  return {
    userId: sub,
    roles: parseGroups(claims?.['cognito:groups']),
    correlationId: event.requestContext.requestId,
  };
};
