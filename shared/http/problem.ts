import * as z from 'zod';
import { type DomainError, type FieldIssue, MAX_LISTED_USERS, type UsedBy } from '#shared/domain/errors';
import { CONTROL_CHAR, NO_CONTROL_CHARS, ULID_PATTERN } from '#shared/schemas/common';

/** RFC 9457 problem details: the one error body of the API. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const PROBLEM_TYPE_BASE = 'https://cirrus-crm.dev/problems/';

export const FieldIssueSchema = z
  .strictObject({
    in: z.enum(['body', 'query', 'path', 'header']),
    field: z
      .string()
      .max(300)
      .regex(NO_CONTROL_CHARS)
      .meta({ description: 'Dotted path of the field, e.g. `emails.0.address`' }),
    detail: z.string().max(500).regex(NO_CONTROL_CHARS),
  })
  .meta({ id: 'FieldIssue' });

export const UsedBySchema = z
  .strictObject({
    kind: z.enum(['campaign', 'automation']),
    id: z
      .string()
      .max(26)
      .regex(/^[0-9A-Za-z]+$/)
      .meta({ description: "The campaign's id, or the automated e-mail's kind (`birthday`, `anniversary`)" }),
  })
  .meta({ id: 'UsedBy' });

export const Problem = z
  .strictObject({
    type: z.url().max(200).meta({ description: 'URI naming the kind of problem' }),
    title: z.string().max(200).regex(NO_CONTROL_CHARS),
    status: z.int().min(400).max(599).meta({ format: 'int32' }),
    detail: z.string().max(1000).regex(NO_CONTROL_CHARS),
    instance: z
      .string()
      .max(200)
      .regex(/^[\x21-\x7e]+$/)
      .optional()
      .meta({ description: 'Request id, for support' }),
    errors: z.array(FieldIssueSchema).max(100).optional().meta({ description: 'One entry per bad field' }),
    existingId: z
      .string()
      .max(26)
      .regex(ULID_PATTERN)
      .optional()
      .meta({ description: 'On 409: the id of the record that already holds the unique value' }),
    usedBy: z
      .array(UsedBySchema)
      .min(1)
      .max(MAX_LISTED_USERS)
      .optional()
      .meta({
        description:
          'On 409 when deleting a segment or template: what still uses it (draft, scheduled or sending ' +
          `campaigns, automated e-mails), the first ${MAX_LISTED_USERS} of them`,
      }),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

interface ProblemKind {
  status: number;
  slug: string;
  title: string;
}

export const PROBLEM_KINDS = {
  validation: { status: 400, slug: 'validation', title: 'Request is not valid' },
  unauthorized: { status: 401, slug: 'unauthorized', title: 'Authentication required' },
  forbidden: { status: 403, slug: 'forbidden', title: 'Not allowed' },
  'not-found': { status: 404, slug: 'not-found', title: 'Not found' },
  conflict: { status: 409, slug: 'conflict', title: 'Conflict' },
  'request-in-progress': { status: 409, slug: 'request-in-progress', title: 'Request in progress' },
  'precondition-failed': { status: 412, slug: 'precondition-failed', title: 'Precondition failed' },
  'payload-too-large': { status: 413, slug: 'payload-too-large', title: 'Payload too large' },
  'unsupported-media-type': { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  'idempotency-key-reused': {
    status: 422,
    slug: 'idempotency-key-reused',
    title: 'Idempotency-Key reused with another request',
  },
  unprocessable: { status: 422, slug: 'unprocessable', title: 'Request breaks a rule of the stored data' },
  internal: { status: 500, slug: 'internal', title: 'Internal error' },
  unavailable: { status: 503, slug: 'unavailable', title: 'Temporarily unavailable' },
} as const satisfies Record<string, ProblemKind>;
export type ProblemKindName = keyof typeof PROBLEM_KINDS;

const MAX_ISSUES = 100;

/** Field names come from the client (unknown keys): keep them within the documented Problem schema. */
const printable = (text: string, max: number) => text.replace(CONTROL_CHAR, '?').slice(0, max);

const sanitized = (issues: FieldIssue[]): FieldIssue[] =>
  issues.slice(0, MAX_ISSUES).map((issue) => ({
    in: issue.in,
    field: printable(issue.field, 300),
    detail: printable(issue.detail, 500),
  }));

export const problem = (
  kind: ProblemKindName,
  detail: string,
  extra: { errors?: FieldIssue[]; existingId?: string; usedBy?: UsedBy[]; instance?: string } = {},
): Problem => {
  const { status, slug, title } = PROBLEM_KINDS[kind];
  const body: Problem = { type: `${PROBLEM_TYPE_BASE}${slug}`, title, status, detail };
  if (extra.instance) body.instance = extra.instance;
  if (extra.errors?.length) body.errors = sanitized(extra.errors);
  if (extra.existingId) body.existingId = extra.existingId;
  if (extra.usedBy?.length) body.usedBy = extra.usedBy.slice(0, MAX_LISTED_USERS);
  return body;
};

/** Maps a typed domain error to its problem. */
export const problemFromDomainError = (error: DomainError): Problem => {
  const kind = error.kind as ProblemKindName;
  const withIssues = error as DomainError & { issues?: FieldIssue[]; existingId?: string; usedBy?: UsedBy[] };
  return problem(kind in PROBLEM_KINDS ? kind : 'internal', error.message, {
    errors: withIssues.issues,
    existingId: withIssues.existingId,
    usedBy: withIssues.usedBy,
  });
};
