/** Internet domain names as companies are matched by them. Pure. */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * `Example.COM.`, `www.example.com` → `example.com`: lower-case, no trailing dot, no leading
 * `www.` (the same company either way). Undefined when the text is not a host name with at least
 * two labels (a URL, a bare word, an IP-like `1.2` with a numeric top-level label).
 */
export const normalizeDomain = (text: string): string | undefined => {
  const host = text
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^www\./, '');
  if (host.length === 0 || host.length > 253) return undefined;
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  if (/^\d+$/.test(labels.at(-1) ?? '')) return undefined;
  return host;
};
