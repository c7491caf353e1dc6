import { describe, expect, it } from 'vitest';
import { linksOf } from '#local/ses-events';

/** The local tracking server redirects only to links a message holds: finding them in raw MIME. */
describe('linksOf', () => {
  it('finds links in quoted-printable and base64 bodies, and nothing else', () => {
    const html = '<p><a href="https://shop.example.com/lamps?a=1&amp;b=2">Lamps</a></p>';
    const raw = [
      'Content-Type: multipart/alternative; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'See https://shop.example.com/very-long-path-that-nodemailer-wrapped-acros=',
      's-two-lines and =3D signs',
      '--b',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(html).toString('base64'),
      '--b--',
    ].join('\r\n');
    const links = linksOf(Buffer.from(raw));
    expect(links).toContain(
      'https://shop.example.com/very-long-path-that-nodemailer-wrapped-across-two-lines',
    );
    expect(links).toContain('https://shop.example.com/lamps?a=1&b=2');
    expect(links).not.toContain('https://evil.example/');
  });
});
