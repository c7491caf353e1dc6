import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readAppSettings, senderIdentities } from '#infra/app-settings';
import { CORS } from '#shared/api/cors';

const settingsFrom = (context: Record<string, unknown>) => readAppSettings(new App({ context }).node);

describe('app settings from context', () => {
  it('has offline defaults for everything', () => {
    expect(settingsFrom({})).toEqual({ ...DEFAULT_SETTINGS, spaOrigins: [...CORS.allowOrigins] });
  });

  it('accepts origins as a JSON array (cdk.json) or a comma-separated string (-c)', () => {
    expect(settingsFrom({ spaOrigins: ['https://a.test', 'https://b.test'] }).spaOrigins).toEqual([
      'https://a.test',
      'https://b.test',
    ]);
    expect(settingsFrom({ spaOrigins: ' https://a.test , https://b.test' }).spaOrigins).toEqual([
      'https://a.test',
      'https://b.test',
    ]);
  });

  it('reads numbers given as strings and rejects nonsense', () => {
    expect(settingsFrom({ apiRateLimit: '25' }).apiRateLimit).toBe(25);
    expect(() => settingsFrom({ apiBurstLimit: 'many' })).toThrow(/apiBurstLimit/);
  });

  it('keeps each campaign sender able to mail a message of 50 within its timeout', () => {
    expect(
      settingsFrom({ sesMaxSendRate: 14, campaignSenderConcurrency: 67 }).campaignSenderConcurrency,
    ).toBe(67);
    expect(() => settingsFrom({ sesMaxSendRate: 14, campaignSenderConcurrency: 68 })).toThrow(
      /campaignSenderConcurrency must be at most 67 at sesMaxSendRate 14/,
    );
    expect(() => settingsFrom({ campaignSenderConcurrency: 1 })).toThrow(/from 2 to 1000/);
  });

  it('takes a conversion window of 1 to 90 whole days, and refuses others at synth', () => {
    expect(settingsFrom({}).conversionWindowDays).toBeUndefined();
    expect(settingsFrom({ conversionWindowDays: '14' }).conversionWindowDays).toBe(14);
    expect(settingsFrom({ conversionWindowDays: 90 }).conversionWindowDays).toBe(90);
    for (const bad of ['0', '91', '2.5', 'week']) {
      expect(() => settingsFrom({ conversionWindowDays: bad })).toThrow(/conversionWindowDays/);
    }
  });
});

describe('senderIdentities', () => {
  it('finds the address and domain SES authorizes against', () => {
    expect(senderIdentities('Cirrus CRM <hello@crm.example.com>')).toEqual({
      address: 'hello@crm.example.com',
      domain: 'crm.example.com',
    });
    expect(senderIdentities('hello@example.com')).toEqual({
      address: 'hello@example.com',
      domain: 'example.com',
    });
  });

  it('rejects a sender without an address', () => {
    expect(() => senderIdentities('Cirrus CRM')).toThrow(/no e-mail address/);
  });
});
