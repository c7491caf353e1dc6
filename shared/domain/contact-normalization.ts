import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/** Data cleaning for contact details and search keys. Pure. */

/** E.164 (`+14155550123`) for a number written any usual way, or undefined when it is not one. */
export const toE164 = (text: string, defaultCountry: string): string | undefined => {
  const phone = parsePhoneNumberFromString(text, defaultCountry.toUpperCase() as never);
  return phone?.isValid() ? phone.number : undefined;
};

/** Lower-case, accents removed, spaces collapsed: how names and companies are matched. */
export const searchKey = (text: string): string =>
  text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * The address that mail to `address` most likely reaches: `+tags` and dots in the local part
 * removed, googlemail.com read as gmail.com. Two customers with the same canonical address are
 * likely the same person.
 */
export const canonicalEmail = (address: string): string => {
  const [local = '', domain = ''] = address.toLowerCase().split('@');
  const mailbox = (local.split('+')[0] ?? '').replaceAll('.', '');
  return `${mailbox}@${domain === 'googlemail.com' ? 'gmail.com' : domain}`;
};
