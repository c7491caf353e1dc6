import { describe, expect, it } from 'vitest';
import type { Actor, Role } from '#shared/domain/actor';
import {
  applyPatch,
  assertMayCreate,
  assertMayDelete,
  assertMayEdit,
  emailChanges,
  hasMarketingConsent,
  newCustomer,
  tagChanges,
} from '#shared/domain/customer';
import { Forbidden, ValidationFailed } from '#shared/domain/errors';
import { CreateCustomerRequest, UpdateCustomerRequest } from '#shared/schemas/customer';

const actor = (role: Role, userId = `dev-${role}`): Actor => ({
  userId,
  roles: [role],
  correlationId: 'c-1',
});
const NOW = '2026-11-25T10:00:00.000Z';

const make = (input: unknown, by: Actor = actor('sales')) =>
  newCustomer(CreateCustomerRequest.parse(input), by, { id: '01JDQ3Z7YB8V5X1G6N2K4M9P0R', now: NOW });

describe('newCustomer', () => {
  it('fills defaults: lead stage, caller as owner, unknown consent, version 1', () => {
    const customer = make({ name: 'Ada Lovelace' });
    expect(customer).toMatchObject({
      lifecycleStage: 'lead',
      ownerId: 'dev-sales',
      consent: { email: { status: 'unknown' } },
      version: 1,
      createdAt: NOW,
      createdBy: 'dev-sales',
      emails: [],
      tags: [],
    });
  });

  it('stamps consent with the request time unless the client recorded it earlier', () => {
    const granted = make({ name: 'A', consent: { email: { status: 'granted', source: 'form' } } });
    expect(granted.consent.email).toEqual({ status: 'granted', source: 'form', at: NOW });
    const earlier = make({
      name: 'A',
      consent: { email: { status: 'granted', source: 'import', at: '2025-01-01T00:00:00.000Z' } },
    });
    expect(earlier.consent.email.at).toBe('2025-01-01T00:00:00.000Z');
  });

  it('refuses consent given in the future, naming the field', () => {
    const future = {
      name: 'A',
      consent: { email: { status: 'granted', source: 'x', at: '2099-01-01T00:00:00.000Z' } },
    };
    expect(() => make(future)).toThrow(ValidationFailed);
    try {
      make(future);
    } catch (error) {
      expect((error as ValidationFailed).issues[0]?.field).toBe('consent.email.at');
    }
  });
});

describe('applyPatch (JSON merge patch)', () => {
  const base = make({
    name: 'Ada',
    company: 'Engines',
    tags: ['vip'],
    customFields: { plan: 'pro', seats: 3 },
  });

  it('changes named fields, clears nulls, merges custom attributes and bumps the version', () => {
    const patch = UpdateCustomerRequest.parse({
      company: null,
      customFields: { seats: null, tier: 'gold' },
    });
    const { next, changed } = applyPatch(base, patch, '2026-11-26T00:00:00.000Z');
    expect(next.company).toBeUndefined();
    expect(next.customFields).toEqual({ plan: 'pro', tier: 'gold' });
    expect(next.version).toBe(2);
    expect(next.updatedAt).toBe('2026-11-26T00:00:00.000Z');
    expect(changed.sort()).toEqual(['company', 'customFields']);
    expect(base.customFields).toEqual({ plan: 'pro', seats: 3 });
  });

  it('returns the same record and no changes when nothing differs', () => {
    const { next, changed } = applyPatch(base, UpdateCustomerRequest.parse({ name: 'Ada' }), NOW);
    expect(changed).toEqual([]);
    expect(next).toBe(base);
  });
});

describe('permissions', () => {
  const owned = make({ name: 'A' }, actor('sales', 'rep-1'));
  const patch = UpdateCustomerRequest.parse({ name: 'B' });

  it('lets sales edit only what they own', () => {
    expect(() => assertMayEdit(actor('sales', 'rep-1'), owned, patch)).not.toThrow();
    expect(() => assertMayEdit(actor('sales', 'rep-2'), owned, patch)).toThrow(Forbidden);
  });

  it('lets admins, managers and marketing edit all; support none', () => {
    for (const role of ['admin', 'manager', 'marketing'] as const) {
      expect(() => assertMayEdit(actor(role), owned, patch)).not.toThrow();
    }
    expect(() => assertMayEdit(actor('support'), owned, patch)).toThrow(Forbidden);
  });

  it('lets only admins and managers assign owners and delete', () => {
    const reassign = UpdateCustomerRequest.parse({ ownerId: 'rep-2' });
    expect(() => assertMayEdit(actor('sales', 'rep-1'), owned, reassign)).toThrow(Forbidden);
    expect(() => assertMayEdit(actor('manager'), owned, reassign)).not.toThrow();
    expect(() => assertMayCreate(actor('sales'), 'someone-else')).toThrow(Forbidden);
    expect(() => assertMayCreate(actor('admin'), 'someone-else')).not.toThrow();
    expect(() => assertMayCreate(actor('support'), undefined)).toThrow(Forbidden);
    expect(() => assertMayDelete(actor('sales'))).toThrow(Forbidden);
    expect(() => assertMayDelete(actor('admin'))).not.toThrow();
  });
});

describe('guards and consent helpers', () => {
  it('computes the e-mail and tag guards to add and remove', () => {
    const before = make({
      name: 'A',
      emails: [{ address: 'a@x.io' }, { address: 'b@x.io' }],
      tags: ['x', 'y'],
    });
    const after = {
      ...before,
      emails: [
        { address: 'b@x.io', label: 'work' as const },
        { address: 'c@x.io', label: 'work' as const },
      ],
      tags: ['y', 'z'],
    };
    expect(emailChanges(before, after)).toEqual({ added: ['c@x.io'], removed: ['a@x.io'] });
    expect(tagChanges(before, after)).toEqual({ added: ['z'], removed: ['x'] });
    expect(emailChanges(undefined, before).added).toEqual(['a@x.io', 'b@x.io']);
  });

  it('needs granted consent and an address to market', () => {
    expect(
      hasMarketingConsent(make({ name: 'A', consent: { email: { status: 'granted', source: 'f' } } })),
    ).toBe(false);
    expect(
      hasMarketingConsent(
        make({
          name: 'A',
          emails: [{ address: 'a@x.io' }],
          consent: { email: { status: 'granted', source: 'f' } },
        }),
      ),
    ).toBe(true);
  });
});

describe('consent per channel', () => {
  it('merges channels and names the channel whose consent is dated in the future', () => {
    const customer = make({ name: 'A', consent: { email: { status: 'granted', source: 'form' } } });
    const { next } = applyPatch(
      customer,
      UpdateCustomerRequest.parse({ consent: { sms: { status: 'denied', source: 'call' } } }),
      NOW,
    );
    expect(next.consent).toEqual({
      email: { status: 'granted', source: 'form', at: NOW },
      sms: { status: 'denied', source: 'call', at: NOW },
    });
    const future = UpdateCustomerRequest.parse({
      consent: { phone: { status: 'granted', source: 'x', at: '2999-01-01T00:00:00.000Z' } },
    });
    try {
      applyPatch(customer, future, NOW);
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationFailed).issues[0]?.field).toBe('consent.phone.at');
    }
  });
});
