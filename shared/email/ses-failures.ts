import { isThrottling } from './send-pace.ts';

/**
 * What a failed `SendRawEmail` says about the message, which decides whether it may be sent again:
 * - `rejected`: SES refused this message for good (retrying it would fail again);
 * - `not-sent`: SES answered that it did not take it (throttled, sending paused, unavailable), or
 *   the connection was never made: a later attempt may send it;
 * - `unknown`: the request may have reached SES and its answer was lost (a timeout, a reset
 *   connection, an internal error). Sending again could mail the person twice, so we do not.
 */
export type SesFailure = 'rejected' | 'not-sent' | 'unknown';

const REJECTED = new Set(['MessageRejected', 'InvalidParameterValue']);
/** SES's answers for a request it did not act on (besides throttling). */
const NOT_TAKEN = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'MailFromDomainNotVerifiedException',
  'ServiceUnavailable',
]);
/** Node's errors for a connection that was never established: nothing reached SES. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

export const sesFailure = (error: unknown): SesFailure => {
  const { name = '', code, $metadata } = (error ?? {}) as SdkErrorShape;
  if (REJECTED.has(name)) return 'rejected';
  if (NOT_TAKEN.has(name) || isThrottling(error)) return 'not-sent';
  const status = $metadata?.httpStatusCode;
  // SES answered: a 4xx is a refusal of the request, a 503 "try later"; other 5xx leave it open.
  if (status !== undefined && (status < 500 || status === 503)) return 'not-sent';
  if (code !== undefined && NOT_CONNECTED.has(code)) return 'not-sent';
  return 'unknown';
};

/** The name of an SES error, for a send record's `failure`. */
export const sesErrorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');
