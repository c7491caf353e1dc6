import { describe, expect, it } from 'vitest';
import { RecordPurchaseRequest } from '#shared/schemas/activity';
import { CreateCustomerRequest, UpdateCustomerRequest } from '#shared/schemas/customer';

const paths = (input: unknown, schema = CreateCustomerRequest) => {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) =>
    'keys' in issue ? issue.keys.map((key) => [...issue.path, key].join('.')) : [issue.path.join('.')],
  );
};

describe('customer request schemas', () => {
  it('normalizes e-mails and tags, and folds repeated tags', () => {
    const parsed = CreateCustomerRequest.parse({
      name: '  Ada  ',
      emails: [{ address: '  Ada@Example.COM ' }],
      tags: ['VIP', 'vip', ' Beta '],
    });
    expect(parsed.name).toBe('Ada');
    expect(parsed.emails).toEqual([{ address: 'ada@example.com', label: 'work' }]);
    expect(parsed.tags).toEqual(['vip', 'beta']);
  });

  it('rejects unknown fields, including ones a client may not set', () => {
    expect(paths({ name: 'A', version: 3, role: 'admin' })).toEqual(
      expect.arrayContaining(['version', 'role']),
    );
  });

  it('rejects bad values and names each field', () => {
    const bad = {
      name: '',
      emails: [{ address: 'not-an-email' }, { address: 'a@x.io' }, { address: 'A@x.io' }],
      phones: [{ number: '555-1234' }],
      lifecycleStage: 'vip',
      customFields: { '1bad': 'x' },
    };
    expect(paths(bad)).toEqual(
      expect.arrayContaining([
        'name',
        'emails.0.address',
        'emails.2',
        'phones.0.number',
        'lifecycleStage',
        'customFields.1bad',
      ]),
    );
  });

  it('rejects control characters, oversize strings and oversize arrays', () => {
    expect(paths({ name: 'A\u0000B' })).toEqual(['name']);
    expect(paths({ name: 'x'.repeat(201) })).toEqual(['name']);
    expect(paths({ name: 'A', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })).toEqual(['tags']);
    const attributes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i]));
    expect(paths({ name: 'A', customFields: attributes })).toEqual(['customFields']);
  });

  it('requires at least one field in a patch and allows null to clear', () => {
    expect(paths({}, UpdateCustomerRequest as never)).toEqual(['']);
    expect(UpdateCustomerRequest.parse({ company: null }).company).toBeNull();
    expect(paths({ name: null }, UpdateCustomerRequest as never)).toEqual(['name']);
  });
});

describe('money', () => {
  it('takes ISO 4217 currencies only, not any three capitals', () => {
    const purchase = (currency: string) => RecordPurchaseRequest.safeParse({ amount: 100, currency }).success;
    expect(purchase('EUR')).toBe(true);
    expect(purchase('JPY')).toBe(true);
    expect(purchase('ZZZ')).toBe(false);
    expect(purchase('eur')).toBe(false);
  });
});
