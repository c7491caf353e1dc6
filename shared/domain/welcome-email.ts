import type { Customer } from '#shared/schemas/customer';

/** The welcome e-mail's content. Pure: the sender decides when (and whether) it goes out. */

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The footer carries the unsubscribe link (also in the List-Unsubscribe header) and the postal address. */
export const welcomeEmailContent = (
  customer: Customer,
  sender: { postalAddress: string; unsubscribeUrl: string },
) => {
  const firstName = customer.name.split(/\s+/)[0] ?? customer.name;
  const text = [
    `Hello ${firstName},`,
    '',
    'Thank you for joining us. We will keep you posted with news and offers you agreed to receive.',
    '',
    '--',
    `Unsubscribe: ${sender.unsubscribeUrl}`,
    sender.postalAddress,
  ].join('\n');
  const html =
    `<p>Hello ${escapeHtml(firstName)},</p>` +
    '<p>Thank you for joining us. We will keep you posted with news and offers you agreed to receive.</p>' +
    '<p style="color:#666;font-size:12px">' +
    `<a href="${escapeHtml(sender.unsubscribeUrl)}">Unsubscribe</a> from these e-mails.<br>` +
    `${escapeHtml(sender.postalAddress)}</p>`;
  return { subject: `Welcome, ${firstName}!`, text, html };
};
