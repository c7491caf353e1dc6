import { describe, expect, it } from 'vitest';
import { sesFailure } from '#shared/email/ses-failures';

const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...extra });

describe('sesFailure', () => {
  it('says SES refused the message for good', () => {
    expect(sesFailure(sdkError('MessageRejected', { $metadata: { httpStatusCode: 400 } }))).toBe('rejected');
    expect(sesFailure(sdkError('InvalidParameterValue'))).toBe('rejected');
  });

  it('says SES did not take it when it answered so, or was never reached', () => {
    expect(sesFailure(sdkError('Throttling', { $metadata: { httpStatusCode: 400 } }))).toBe('not-sent');
    expect(sesFailure(sdkError('Throttling'))).toBe('not-sent');
    expect(sesFailure(sdkError('AccountSendingPausedException'))).toBe('not-sent');
    expect(sesFailure(sdkError('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } }))).toBe(
      'not-sent',
    );
    expect(sesFailure(sdkError('SomethingNew', { $metadata: { httpStatusCode: 403 } }))).toBe('not-sent');
    expect(sesFailure(sdkError('Error', { code: 'ECONNREFUSED' }))).toBe('not-sent');
  });

  it('says the outcome is unknown when the answer was lost or SES failed inside', () => {
    expect(sesFailure(sdkError('TimeoutError'))).toBe('unknown');
    expect(sesFailure(sdkError('Error', { code: 'ECONNRESET' }))).toBe('unknown');
    expect(sesFailure(sdkError('InternalFailure', { $metadata: { httpStatusCode: 500 } }))).toBe('unknown');
    expect(sesFailure(undefined)).toBe('unknown');
  });
});
