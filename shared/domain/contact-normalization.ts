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
