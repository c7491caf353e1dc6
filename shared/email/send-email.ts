import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { ses } from '#shared/clients/ses';
import { config } from '#shared/config';
import { type EmailMessage, toRawMime } from './raw-message.ts';

/** Sends one message through SES (with the configuration set, for delivery events); returns its id. */
export const sendEmail = async (message: EmailMessage): Promise<string> => {
  const { MessageId } = await ses.send(
    new SendRawEmailCommand({
      RawMessage: { Data: await toRawMime(message) },
      ConfigurationSetName: config.sesConfigurationSet,
    }),
  );
  return MessageId ?? '';
};
