import { settleDelivery } from '#shared/data/email-deliveries';
import { Unprocessable } from '#shared/domain/errors';
import { sesFailure } from '#shared/email/ses-failures';
import { nowIso } from '#shared/ids';
import { logger } from '#shared/observability/logger';

/**
 * Settling a one-off e-mail's ledger item (welcome, birthday, anniversary) after the send, so that
 * nobody is mailed twice: only a message SES surely did not take may be claimed and sent again.
 */

/**
 * The send failed. Before SES (rendering) or refused by it → `failed`, which a later delivery of
 * the event or a later run may claim again. SES's answer lost → the claim stays `sending`: it may
 * have gone, and at most once beats twice.
 */
export const settleUnsent = async (customerId: string, kind: string, error: unknown): Promise<void> => {
  if (!(error instanceof Unprocessable) && sesFailure(error) === 'unknown') {
    logger.error('SES’s answer was lost: the e-mail may have gone, so it is not sent again', {
      customerId,
      kind,
      error: error as Error,
    });
    return;
  }
  await settleDelivery(customerId, kind, { status: 'failed', reason: String(error) }, nowIso());
};

/**
 * SES took it: record the message id. Should that write fail, the claim stays `sending` (never
 * sent again) rather than the error making a retry send it twice.
 */
export const settleSent = async (customerId: string, kind: string, messageId: string): Promise<void> => {
  try {
    await settleDelivery(customerId, kind, { status: 'sent', messageId }, nowIso());
  } catch (error) {
    logger.error('Sent, but the ledger item could not be settled: it stays sending', {
      customerId,
      kind,
      messageId,
      error: error as Error,
    });
  }
};
