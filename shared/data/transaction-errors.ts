import { ConcurrentWrite } from '#shared/domain/errors';

interface CancellationReason {
  Code?: string;
}

/**
 * Which entries of a cancelled TransactWriteItems failed their condition (by index). Returns
 * undefined when the error is not a cancellation (the caller rethrows it). A cancellation because
 * another transaction held the same items becomes ConcurrentWrite, which callers may retry.
 */
export const failedConditions = (error: unknown): number[] | undefined => {
  if ((error as Error)?.name !== 'TransactionCanceledException') return undefined;
  const reasons: CancellationReason[] =
    (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  const failed = reasons.flatMap((reason, index) =>
    reason.Code === 'ConditionalCheckFailed' ? [index] : [],
  );
  if (failed.length > 0) return failed;
  throw new ConcurrentWrite('Another request changed this record at the same moment; try again.');
};

/** An extra write of a customer transaction (by its index among the extras) failed its condition. */
export class ExtraWriteConditionFailed extends Error {
  constructor(readonly extraIndex: number) {
    super(`Condition of extra write ${extraIndex} failed`);
  }
}
