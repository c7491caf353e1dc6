/** What an operation handler returns; the router turns it into an API Gateway response. */
export interface Reply {
  status: number;
  /** Serialized through the schema the operation documents for this status. */
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  headers,
});
export const created = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 201,
  body,
  headers,
});
export const noContent = (): Reply => ({ status: 204 });

/** ETags are the record's version, quoted as RFC 9110 wants. */
export const etag = (version: number): string => `"${version}"`;

/** `"3"` or `W/"3"` → 3; `*` → '*' (any version); absent → undefined. The header schema checked the form. */
export const parseIfMatch = (header: string | undefined): number | '*' | undefined => {
  if (header === undefined) return undefined;
  if (header === '*') return '*';
  return Number(header.replace(/^W\//, '').replaceAll('"', ''));
};
