/**
 * Typed domain errors. Use cases throw these; the HTTP adapter maps each to one
 * RFC 9457 problem (shared/http/problem.ts), so no domain code knows about status codes.
 */
export interface FieldIssue {
  /** Where the field is: body, query, path or header. */
  in: 'body' | 'query' | 'path' | 'header';
  /** Dotted path of the field, `emails.0.address`; empty for the whole body. */
  field: string;
  detail: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: string;
}

export class ValidationFailed extends DomainError {
  readonly kind = 'validation';
  constructor(
    readonly issues: FieldIssue[],
    message = 'The request is not valid.',
  ) {
    super(message);
  }
}

/**
 * The request is well-formed but breaks a rule of the stored data: a `companyId` that names no
 * company, a custom field that does not match its workspace definition. `issues` names each field.
 */
export class Unprocessable extends DomainError {
  readonly kind = 'unprocessable';
  constructor(
    readonly issues: FieldIssue[],
    message = 'The request breaks a rule of the stored data.',
  ) {
    super(message);
  }
}

export class NotFound extends DomainError {
  readonly kind = 'not-found';
}

export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

/** A uniqueness rule was broken; `existingId` names the record that already holds the value. */
export class Conflict extends DomainError {
  readonly kind = 'conflict';
  constructor(
    message: string,
    readonly existingId?: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** Something that names a segment or template: a live campaign, or an automated e-mail's configuration. */
export interface UsedBy {
  kind: 'campaign' | 'automation';
  /** The campaign's id, or the automation's kind (`birthday`, `anniversary`). */
  id: string;
}

const describeUser = (user: UsedBy) =>
  user.kind === 'campaign' ? `campaign ${user.id}` : `the ${user.id} automation`;

/** How many users of a segment or template a 409 lists at most. */
export const MAX_LISTED_USERS = 10;

/**
 * A segment or template cannot be deleted while something uses it (409). `usedBy` lists the first
 * few users (at most MAX_LISTED_USERS); `more` says there are others.
 */
export class InUse extends DomainError {
  readonly kind = 'conflict';
  constructor(
    what: 'segment' | 'template',
    id: string,
    readonly usedBy: UsedBy[],
    more: boolean,
  ) {
    super(
      `The ${what} ${id} is used by ${usedBy.map(describeUser).join(', ')}${more ? ' and more' : ''}. ` +
        `Point them at another ${what} (or cancel or delete the campaigns) first.`,
    );
  }
}

/** The record changed since the version the caller sent in If-Match. */
export class VersionMismatch extends DomainError {
  readonly kind = 'precondition-failed';
}

/** The same Idempotency-Key was sent with a different request body. */
export class IdempotencyKeyReused extends DomainError {
  readonly kind = 'idempotency-key-reused';
}

/** A request with the same Idempotency-Key is still being processed. */
export class RequestInProgress extends DomainError {
  readonly kind = 'request-in-progress';
}

/** Another transaction touched the same items at the same moment; safe to retry. */
export class ConcurrentWrite extends DomainError {
  readonly kind = 'conflict';
}

/** The customer was merged into another: the same request belongs at the survivor (308). */
export class CustomerMerged extends DomainError {
  readonly kind = 'moved';
  constructor(
    readonly customerId: string,
    readonly mergedInto: string,
  ) {
    super(`Customer ${customerId} was merged into ${mergedInto}.`);
  }
}

/** The request body is over a documented limit (bytes or rows); the message names the limit. */
export class PayloadTooLarge extends DomainError {
  readonly kind = 'payload-too-large';
}
