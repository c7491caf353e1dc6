import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import type { Operation } from '#shared/api/operation';
import { DomainError, type FieldIssue, ValidationFailed } from '#shared/domain/errors';

/** Parses an API Gateway payload 2.0 event against an operation's zod schemas. */

export class UnsupportedMediaType extends DomainError {
  readonly kind = 'unsupported-media-type';
}

type Location = FieldIssue['in'];

/** One issue per field (the first zod reports): a client fixes a field at a time, not a check at a time. */
const issuesOf = (error: z.ZodError, where: Location): FieldIssue[] => {
  const all = error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        in: where,
        field: [...path, key].join('.'),
        detail: 'Unknown field',
      }));
    }
    return [{ in: where, field: path.join('.'), detail: issue.message }];
  });
  return all.filter((issue, index) => all.findIndex((other) => other.field === issue.field) === index);
};

const parsePart = (schema: z.ZodType | undefined, value: unknown, where: Location, issues: FieldIssue[]) => {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  issues.push(...issuesOf(result.error, where));
  return undefined;
};

/** Header schemas name headers as documented (`If-Match`); API Gateway lower-cases them. */
const pickHeaders = (schema: z.ZodObject | undefined, headers: Record<string, string | undefined>) =>
  Object.fromEntries(
    Object.keys(schema?.shape ?? {}).flatMap((name) => {
      const value = headers[name.toLowerCase()];
      return value === undefined ? [] : [[name, value]];
    }),
  );

/** The request's media type, lower-cased, without parameters (`text/csv; charset=utf-8` → `text/csv`). */
export const mediaTypeOf = (event: APIGatewayProxyEventV2): string =>
  (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * The body as text, in an accepted media type. API Gateway base64-encodes every body that is not
 * `text/*` or JSON/XML (`application/x-ndjson` is), and says so in `isBase64Encoded`.
 */
const readBodyText = (operation: Operation, event: APIGatewayProxyEventV2, issues: FieldIssue[]) => {
  const accepted = operation.request.body?.contentTypes ?? [];
  if (!accepted.includes(mediaTypeOf(event))) {
    throw new UnsupportedMediaType(`Send the body as ${accepted.join(' or ')}.`);
  }
  // Bodies are read as UTF-8 (JSON must be, RFC 8259): another declared charset would be misread.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i
    .exec(event.headers?.['content-type'] ?? '')?.[1]
    ?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
    throw new UnsupportedMediaType(`Send the body in UTF-8, not ${charset}.`);
  }
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (text.trim() === '') {
    issues.push({ in: 'body', field: '', detail: 'A request body is required' });
    return undefined;
  }
  return text;
};

/** No schema nests this deep; recursive schemas (segment rules) must not recurse into hostile depths. */
export const MAX_JSON_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `max` (counted iteratively: no stack to exhaust). */
const nestsDeeperThan = (value: unknown, max: number): boolean => {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
};

/** The dotted path of the first `__proto__` key at any depth (depth already bounded). */
const prototypeKeyPath = (value: unknown): string | undefined => {
  const stack: [unknown, string[]][] = [[value, []]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, path] = next;
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      if (key === '__proto__') return [...path, key].join('.');
      stack.push([child, [...path, key]]);
    }
  }
  return undefined;
};

const readJsonBody = (operation: Operation, event: APIGatewayProxyEventV2, issues: FieldIssue[]): unknown => {
  const text = readBodyText(operation, event, issues);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    issues.push({ in: 'body', field: '', detail: 'The body is not valid JSON' });
    return undefined;
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    issues.push({ in: 'body', field: '', detail: `The body nests deeper than ${MAX_JSON_DEPTH} levels` });
    return undefined;
  }
  const prototypeKey = prototypeKeyPath(value);
  if (prototypeKey !== undefined) {
    // Schemas silently drop `__proto__` in records: refuse it by name instead.
    issues.push({ in: 'body', field: prototypeKey, detail: 'Not an allowed field name' });
    return undefined;
  }
  return value;
};

/** No body, whitespace, or an empty JSON object (what some HTTP clients send for a bodiless POST). */
const isEmptyBody = (text: string | undefined) => {
  const trimmed = (text ?? '').trim();
  return trimmed === '' || trimmed === '{}';
};

export interface ParsedParts {
  path: unknown;
  query: unknown;
  headers: unknown;
  body: unknown;
}

/** Every bad field of every part is reported at once, as one 400. */
export const parseRequest = (operation: Operation, event: APIGatewayProxyEventV2): ParsedParts => {
  const issues: FieldIssue[] = [];
  const { request } = operation;
  const path = parsePart(request.path, event.pathParameters ?? {}, 'path', issues);
  const query = parsePart(request.query, event.queryStringParameters ?? {}, 'query', issues);
  const headers = parsePart(
    request.headers,
    pickHeaders(request.headers, event.headers ?? {}),
    'header',
    issues,
  );
  let body: unknown;
  const bodyText = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : event.body;
  if (request.body?.optional && (bodyText ?? '').trim() === '') {
    body = undefined;
  } else if (request.body?.raw) {
    body = readBodyText(operation, event, issues);
  } else if (request.body) {
    const raw = readJsonBody(operation, event, issues);
    if (raw !== undefined) body = parsePart(request.body.schema, raw, 'body', issues);
  } else if (!isEmptyBody(bodyText)) {
    // An operation without a body says so rather than ignoring what was sent (maybe to another route).
    issues.push({ in: 'body', field: '', detail: 'This operation takes no request body' });
  }
  if (issues.length > 0) throw new ValidationFailed(issues);
  return { path, query, headers, body };
};
