import { createHmac, randomBytes } from 'node:crypto';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '#shared/domain/errors';
import { SAMPLE_CUSTOMER } from '#shared/domain/template-variables';
import { unsubscribeSourceOf } from '#shared/domain/unsubscribe-request';
import {
  signUnsubscribeToken,
  TOKEN_PATTERN,
  verifyUnsubscribeToken,
} from '#shared/domain/unsubscribe-token';
import { buildMarketingMessage, NoEmailAddress } from '#shared/email/marketing-message';
import { sendRawEmail } from '#shared/email/send-email';

const key = randomBytes(32);
const customerId = '01JDQ3Z7YB8V5X1G6N2K4M9P0R';
const campaignId = '01JDQ60000000000000000CA01';

describe('unsubscribe tokens', () => {
  it('carry the customer and the campaign or message kind, and fit the path pattern', () => {
    const token = signUnsubscribeToken({ customerId, scope: { campaignId } }, key);
    expect(token).toMatch(TOKEN_PATTERN);
    expect(verifyUnsubscribeToken(token, key)).toEqual({ customerId, scope: { campaignId } });
    const welcome = signUnsubscribeToken({ customerId, scope: { kind: 'welcome' } }, key);
    expect(verifyUnsubscribeToken(welcome, key)).toEqual({ customerId, scope: { kind: 'welcome' } });
  });

  it('cannot be forged: another key, an altered payload or signature, another id all fail', () => {
    const token = signUnsubscribeToken({ customerId, scope: { campaignId } }, key);
    expect(verifyUnsubscribeToken(token, randomBytes(32))).toBeUndefined();
    const [payload = '', mac = ''] = token.split('.');
    const otherId = Buffer.from(`1|01JDQ3Z7YB8V5X1G6N2K4M9P0S|c|${campaignId}`).toString('base64url');
    expect(verifyUnsubscribeToken(`${otherId}.${mac}`, key)).toBeUndefined();
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    expect(verifyUnsubscribeToken(`${payload}.${flipped}`, key)).toBeUndefined();
    expect(verifyUnsubscribeToken('not-a-token', key)).toBeUndefined();
  });

  it('refuses a correctly signed payload that is not a claim', () => {
    const payload = Buffer.from('1|nope|c|x').toString('base64url');
    const mac = createHmac('sha256', key).update(payload).digest('base64url');
    expect(verifyUnsubscribeToken(`${payload}.${mac}`, key)).toBeUndefined();
  });
});

describe('unsubscribe POST bodies', () => {
  it('reads RFC 8058 one-click, the page button and an empty body', () => {
    expect(unsubscribeSourceOf('List-Unsubscribe=One-Click', 'application/x-www-form-urlencoded')).toBe(
      'one-click',
    );
    expect(unsubscribeSourceOf('confirm=page', 'application/x-www-form-urlencoded')).toBe('unsubscribe-page');
    expect(unsubscribeSourceOf(undefined, '')).toBe('one-click');
    expect(unsubscribeSourceOf('--b\r\n...', 'multipart/form-data')).toBe('one-click');
  });

  it('refuses other fields, values and oversized bodies, naming the field', () => {
    const fieldOf = (body: string) => {
      try {
        unsubscribeSourceOf(body, 'application/x-www-form-urlencoded');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationFailed);
        return (error as ValidationFailed).issues[0]?.field;
      }
      return 'accepted';
    };
    expect(fieldOf('List-Unsubscribe=Everything')).toBe('List-Unsubscribe');
    expect(fieldOf('email=someone@example.com')).toBe('email');
    expect(fieldOf(`confirm=${'x'.repeat(2000)}`)).toBe('');
  });
});

describe('buildMarketingMessage', () => {
  const input = {
    template: {
      id: '01JDQ3Z7YB8V5X1G6N2K4M9T01',
      subject: 'Spring picks for {{ customer.firstName }}',
      html: '<html><body><p>Hi {{ customer.name }}, {{ campaign.name }}</p></body></html>',
      text: 'Hi {{ customer.name }}',
    },
    customer: { ...SAMPLE_CUSTOMER, name: 'Ada <Lovelace>' },
    campaign: { id: campaignId, name: 'Spring sale' },
    unsubscribeToken: 'TOKEN123',
    from: 'Shop <shop@example.com>',
    postalAddress: 'Shop Ltd, 1 Main St, Springfield',
    publicBaseUrl: 'https://api.example.com/',
    unsubscribeMailto: 'unsubscribe@example.com',
  };

  it('has RFC 8058 headers, the campaign ids, the link and the postal address in both bodies', async () => {
    const message = await buildMarketingMessage(input);
    const raw = Buffer.from(message.raw)
      .toString('utf8')
      .replace(/\r\n[ \t]+/g, ' ');
    expect(message.unsubscribeUrl).toBe('https://api.example.com/unsubscribe/TOKEN123');
    expect(raw).toContain(
      'List-Unsubscribe: <https://api.example.com/unsubscribe/TOKEN123>, <mailto:unsubscribe@example.com?subject=unsubscribe>',
    );
    expect(raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    // Header names are case-insensitive (nodemailer writes `-ID`).
    expect(raw.toLowerCase()).toContain(`x-cirrus-campaign-id: ${campaignId}`.toLowerCase());
    expect(raw.toLowerCase()).toContain(`x-cirrus-customer-id: ${SAMPLE_CUSTOMER.id}`.toLowerCase());
    expect(raw).toContain('To: ada@example.com');
    expect(message.subject).toBe('Spring picks for Ada');
    expect(message.html).toMatch(
      /<p>Hi Ada &lt;Lovelace&gt;, Spring sale<\/p><p [^>]*><a href="https:\/\/api\.example\.com\/unsubscribe\/TOKEN123">Unsubscribe<\/a>.*Shop Ltd, 1 Main St, Springfield<\/p><\/body><\/html>$/,
    );
    expect(message.text).toContain(
      'Unsubscribe: https://api.example.com/unsubscribe/TOKEN123\nShop Ltd, 1 Main St',
    );
    expect(message.tags).toEqual([
      { Name: 'messageKind', Value: 'campaign' },
      { Name: 'campaignId', Value: campaignId },
      { Name: 'customerId', Value: SAMPLE_CUSTOMER.id },
    ]);
  });

  it('refuses a customer without an e-mail address', async () => {
    await expect(
      buildMarketingMessage({ ...input, customer: { ...SAMPLE_CUSTOMER, emails: [] } }),
    ).rejects.toThrow(NoEmailAddress);
  });

  it('sends through the configuration set with the message tags', async () => {
    const ses = mockClient(SESClient);
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'm-1' });
    process.env.SES_CONFIGURATION_SET = 'cirrus-events';
    const message = await buildMarketingMessage(input);
    expect(await sendRawEmail(message.raw, message.tags)).toBe('m-1');
    expect(ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input).toMatchObject({
      ConfigurationSetName: 'cirrus-events',
      Tags: message.tags,
    });
    delete process.env.SES_CONFIGURATION_SET;
    ses.restore();
  });
});
