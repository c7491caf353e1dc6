import MailComposer from 'nodemailer/lib/mail-composer';

/** An e-mail as we render it; SES gets it as raw MIME so that we control every header. */
export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** Builds the RFC 5322 message (encoded headers, multipart/alternative) with nodemailer's composer. */
export const toRawMime = async (message: EmailMessage): Promise<Uint8Array> =>
  new MailComposer({
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers,
  })
    .compile()
    .build();
