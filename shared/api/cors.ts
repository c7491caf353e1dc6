/**
 * CORS policy of the HTTP API, as plain data so the CDK app (HttpApi `corsPreflight`) and the
 * local server apply the same one. Header names are lower-case (API Gateway compares them without
 * case). Allowed methods are not listed: both derive them from the route table.
 *
 * `allowOrigins` lists the SPA's local dev servers; a deployed stage uses its own origin(s).
 */
export const CORS = {
  allowOrigins: ['http://localhost:5173', 'http://127.0.0.1:5173', 'http://localhost:4173'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
  exposeHeaders: ['etag', 'location', 'retry-after', 'x-ratelimit-limit'],
  maxAgeSeconds: 3600,
  allowCredentials: false,
} as const;

export interface CorsPolicy {
  allowOrigins: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
  allowCredentials: boolean;
}
