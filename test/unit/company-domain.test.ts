import { describe, expect, it } from 'vitest';
import type { Actor, Role } from '#shared/domain/actor';
import {
  applyCompanyPatch,
  assertMayCreateCompany,
  assertMayDeleteCompany,
  assertMayEditCompany,
  assertNoPeopleLinked,
  newCompany,
} from '#shared/domain/company';
import { Conflict, Forbidden } from '#shared/domain/errors';
import { normalizeDomain } from '#shared/domain/web-domain';
import { CreateCompanyRequest } from '#shared/schemas/company';

const actor = (role: Role, userId = `dev-${role}`): Actor => ({ userId, roles: [role], correlationId: 'c' });
const now = '2026-11-25T10:00:00.000Z';
const company = newCompany({ name: 'Acme', domain: 'acme.example' }, actor('sales', 'rep-1'), {
  id: '01JDQ3Z7YB8V5X1G6N2K4M9C0M',
  now,
});

describe('company domains', () => {
  it('normalizes host names and refuses what is not one', () => {
    expect(normalizeDomain('WWW.Example.COM.')).toBe('example.com');
    expect(normalizeDomain('sub.example.co.uk')).toBe('sub.example.co.uk');
    for (const bad of ['example', 'https://example.com', 'exa mple.com', '-a.com', '1.2', 'a..com', ''])
      expect(normalizeDomain(bad)).toBeUndefined();
  });

  it('are normalized by the request schema, and only https websites are accepted', () => {
    expect(CreateCompanyRequest.parse({ name: 'A', domain: ' www.A.io ' }).domain).toBe('a.io');
    expect(CreateCompanyRequest.safeParse({ name: 'A', website: 'http://a.io' }).success).toBe(false);
    expect(CreateCompanyRequest.safeParse({ name: 'A', size: '10-20' }).success).toBe(false);
    expect(
      CreateCompanyRequest.safeParse({ name: 'A', annualRevenue: { amount: 1.5, currency: 'EUR' } }).success,
    ).toBe(false);
  });
});

describe('company permissions', () => {
  it('lets admins, managers and sales create; only admins and managers name another owner', () => {
    for (const role of ['admin', 'manager', 'sales'] as const)
      expect(() => assertMayCreateCompany(actor(role), undefined)).not.toThrow();
    for (const role of ['marketing', 'support'] as const)
      expect(() => assertMayCreateCompany(actor(role), undefined)).toThrow(Forbidden);
    expect(() => assertMayCreateCompany(actor('sales'), 'someone-else')).toThrow(Forbidden);
    expect(() => assertMayCreateCompany(actor('manager'), 'someone-else')).not.toThrow();
  });

  it('lets a sales rep edit only companies they own, and never change the owner', () => {
    expect(() => assertMayEditCompany(actor('sales', 'rep-1'), company, { size: '1-10' })).not.toThrow();
    expect(() => assertMayEditCompany(actor('sales', 'rep-2'), company, { size: '1-10' })).toThrow(Forbidden);
    expect(() => assertMayEditCompany(actor('sales', 'rep-1'), company, { ownerId: 'rep-2' })).toThrow(
      Forbidden,
    );
    expect(() => assertMayEditCompany(actor('marketing'), company, { size: '1-10' })).toThrow(Forbidden);
    expect(() => assertMayEditCompany(actor('manager'), company, { ownerId: 'rep-2' })).not.toThrow();
  });

  it('lets only admins and managers delete, and only a company no one is linked to', () => {
    expect(() => assertMayDeleteCompany(actor('sales'))).toThrow(Forbidden);
    expect(() => assertMayDeleteCompany(actor('manager'))).not.toThrow();
    expect(() => assertNoPeopleLinked(0)).not.toThrow();
    expect(() => assertNoPeopleLinked(1)).toThrow(/1 person is linked/);
    expect(() => assertNoPeopleLinked(3)).toThrow(Conflict);
  });
});

describe('company merge patch', () => {
  it('replaces, clears with null, and bumps the version only when something changed', () => {
    const { next, changed } = applyCompanyPatch(
      company,
      { domain: null, size: '51-200', name: 'Acme' },
      'later',
    );
    expect(changed.sort()).toEqual(['domain', 'size']);
    expect(next).toMatchObject({ size: '51-200', version: 2, updatedAt: 'later' });
    expect(next).not.toHaveProperty('domain');
    expect(company.domain).toBe('acme.example');
    expect(applyCompanyPatch(company, { name: 'Acme' }, 'later')).toEqual({ next: company, changed: [] });
  });
});
