import { type MessageTag, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { ses } from '#shared/clients/ses';
import { config } from '#shared/config';
import { type EmailMessage, toRawMime } from './raw-message.ts';

/**
 * Sends one raw message through SES with the configuration set (delivery, bounce, complaint,
 * open and click events) and message tags (which come back on those events); returns its id.
 */
export const sendRawEmail = async (raw: Uint8Array, tags: MessageTag[] = []): Promise<string> => {
  const { MessageId } = await ses.send(
    new SendRawEmailCommand({
      RawMessage: { Data: raw },
      ConfigurationSetName: config.sesConfigurationSet,
      ...(tags.length > 0 ? { Tags: tags } : {}),
    }),
  );
  return MessageId ?? '';
};

/** Composes and sends one message. */
export const sendEmail = async (message: EmailMessage, tags: MessageTag[] = []): Promise<string> =>
  sendRawEmail(await toRawMime(message), tags);
