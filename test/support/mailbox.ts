import { setTimeout as sleep } from 'node:timers/promises';
import { sesEndpoint } from './local-services.ts';

/** A message as the SES emulator stores it (it keeps no headers besides these fields). */
export interface MailboxMessage {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  /** Epoch seconds. */
  at: number;
}

/** True when `address` (bare, or inside `Name <address>`) is one of the message's recipients. */
const isFor = (message: MailboxMessage, address: string): boolean => {
  const wanted = address.toLowerCase();
  return [...message.destination.to, ...message.destination.cc, ...message.destination.bcc].some(
    (recipient) => {
      const bare = /<([^>]+)>/.exec(recipient)?.[1] ?? recipient;
      return bare.trim().toLowerCase() === wanted;
    },
  );
};

/**
 * Reads the SES emulator's mailbox. The emulator is shared by every test file of the run, so
 * filter by recipient and use addresses unique to your test (e.g. with a random part); `clear()`
 * empties the mailbox of every file running at the same time, so prefer unique addresses.
 */
export const mailbox = (endpoint: string = sesEndpoint()) => {
  const all = async (): Promise<MailboxMessage[]> => {
    const response = await fetch(`${endpoint}/store`);
    if (!response.ok) throw new Error(`SES emulator answered ${response.status} for /store`);
    return ((await response.json()) as { emails: MailboxMessage[] }).emails;
  };
  return {
    /** Every message received so far. */
    all,
    /** Messages addressed (to, cc or bcc) to `recipient`, oldest first. */
    messagesFor: async (recipient: string): Promise<MailboxMessage[]> =>
      (await all()).filter((message) => isFor(message, recipient)),
    /**
     * Waits until `recipient` has at least `count` messages. Only for mail sent outside the local
     * runtime's reach; after runtime.waitForIdle() the mail is already there.
     */
    waitFor: async (recipient: string, { count = 1, timeoutMs = 5000 } = {}): Promise<MailboxMessage[]> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const messages = (await all()).filter((message) => isFor(message, recipient));
        if (messages.length >= count) return messages;
        if (Date.now() > deadline) {
          throw new Error(`Expected ${count} message(s) for ${recipient}, found ${messages.length}`);
        }
        await sleep(50);
      }
    },
    /** Empties the mailbox (of every test file: see above). */
    clear: async (): Promise<void> => {
      const response = await fetch(`${endpoint}/clear-store`, { method: 'POST' });
      if (!response.ok) throw new Error(`SES emulator answered ${response.status} for /clear-store`);
    },
  };
};
