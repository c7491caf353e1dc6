/** Reads the SES emulator's mailbox (aws-ses-v2-local: GET /store). */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}

export const emailsTo = async (sesEndpoint: string, address: string): Promise<StoredEmail[]> => {
  const response = await fetch(`${sesEndpoint}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.some((to) => to.includes(address)));
};
