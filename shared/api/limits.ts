/**
 * API Gateway stage throttling (requests per second across the API, steady rate and burst). The
 * CDK app applies it; every response from our functions announces the steady rate in
 * X-RateLimit-Limit, as the OpenAPI document says.
 */
export const API_THROTTLING = { rateLimit: 100, burstLimit: 200 } as const;
