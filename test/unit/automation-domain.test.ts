import { describe, expect, it } from 'vitest';
import type { Actor } from '#shared/domain/actor';
import {
  anniversaryYears,
  applyAutomationPut,
  assertMayManageAutomations,
  deliveryKindOf,
  isDue,
  isGreetedOn,
  isLeapYear,
  monthDayOf,
  monthDaysGreetedOn,
  unconfiguredAutomation,
  utcDay,
} from '#shared/domain/automation';
import { Forbidden } from '#shared/domain/errors';
import { EmailDelivery } from '#shared/schemas/activity';

const actor = (role: Actor['roles'][number]): Actor => ({
  userId: `dev-${role}`,
  roles: [role],
  correlationId: 'c',
});

describe('month-day of a date', () => {
  it('takes a calendar day as written and an instant in UTC', () => {
    expect(monthDayOf('1990-12-10')).toBe('12-10');
    expect(monthDayOf('2020-03-15T23:30:00.000Z')).toBe('03-15');
    // 23:30 in New York on 14 March is 15 March in UTC: the index and the run both use UTC.
    expect(monthDayOf('2020-03-15T03:30:00.000Z')).toBe('03-15');
    expect(utcDay('2026-06-01T09:00:00Z')).toBe('2026-06-01');
  });
});

describe('leap days', () => {
  it('knows the leap years (every 4th, not every 100th, every 400th)', () => {
    expect([2024, 2000, 2400].map(isLeapYear)).toEqual([true, true, true]);
    expect([2025, 1900, 2100].map(isLeapYear)).toEqual([false, false, false]);
  });

  it('greets 29 February people on 28 February of a common year, and on the 29th in a leap year', () => {
    expect(monthDaysGreetedOn('2026-02-28')).toEqual(['02-28', '02-29']);
    expect(monthDaysGreetedOn('2028-02-28')).toEqual(['02-28']);
    expect(monthDaysGreetedOn('2028-02-29')).toEqual(['02-29']);
    expect(monthDaysGreetedOn('2100-02-28')).toEqual(['02-28', '02-29']);
    expect(monthDaysGreetedOn('2026-03-01')).toEqual(['03-01']);
    expect(isGreetedOn('2000-02-29', '2026-02-28')).toBe(true);
    expect(isGreetedOn('2000-02-29', '2026-03-01')).toBe(false);
    expect(isGreetedOn('2000-02-29', '2028-02-28')).toBe(false);
    expect(isGreetedOn('2000-02-29', '2028-02-29')).toBe(true);
    // Someone born on the 28th is greeted once, on the 28th, in every year.
    expect(isGreetedOn('1990-02-28', '2026-02-28')).toBe(true);
    expect(isGreetedOn('1990-02-28', '2028-02-29')).toBe(false);
  });
});

describe('anniversaries', () => {
  it('counts whole years on the day, and never greets the first purchase day itself', () => {
    expect(anniversaryYears('2023-06-01T10:00:00.000Z', '2026-06-01')).toBe(3);
    expect(anniversaryYears('2026-06-01T08:00:00.000Z', '2026-06-01')).toBe(0);
    expect(anniversaryYears('2025-06-02T10:00:00.000Z', '2026-06-01')).toBe(0);
    expect(anniversaryYears('2024-02-29T10:00:00.000Z', '2026-02-28')).toBe(2);
    expect(isDue('anniversary', { firstPurchaseAt: '2026-06-01T08:00:00.000Z' }, '2026-06-01')).toBe(false);
    expect(isDue('anniversary', { firstPurchaseAt: '2025-06-01T08:00:00.000Z' }, '2026-06-01')).toBe(true);
    expect(isDue('anniversary', {}, '2026-06-01')).toBe(false);
  });

  it('decides birthdays on the record', () => {
    expect(isDue('birthday', { birthday: '1990-06-01' }, '2026-06-01')).toBe(true);
    expect(isDue('birthday', { birthday: '1990-06-02' }, '2026-06-01')).toBe(false);
    expect(isDue('birthday', { firstPurchaseAt: '2020-06-01T00:00:00.000Z' }, '2026-06-01')).toBe(false);
  });
});

describe('the send ledger kind', () => {
  it('is one per kind and year, and fits the export schema of sent e-mails', () => {
    expect(deliveryKindOf('birthday', '2026-06-01')).toBe('birthday-2026');
    expect(deliveryKindOf('anniversary', '2027-01-01')).toBe('anniversary-2027');
    expect(
      EmailDelivery.safeParse({
        kind: 'birthday-2026',
        status: 'sent',
        claimedAt: '2026-06-01T09:00:00.000Z',
      }).success,
    ).toBe(true);
  });
});

describe('configuration', () => {
  it('lets admins, managers and marketing manage automations, not sales or support', () => {
    for (const role of ['admin', 'manager', 'marketing'] as const)
      expect(() => assertMayManageAutomations(actor(role))).not.toThrow();
    for (const role of ['sales', 'support'] as const)
      expect(() => assertMayManageAutomations(actor(role))).toThrow(Forbidden);
  });

  it('starts disabled at version 0 and keeps who created it across versions', () => {
    const first = applyAutomationPut(
      unconfiguredAutomation('birthday'),
      { templateId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R', enabled: true },
      actor('marketing'),
      '2026-01-01T00:00:00.000Z',
    );
    expect(first).toEqual({
      kind: 'birthday',
      enabled: true,
      templateId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: 'dev-marketing',
      updatedAt: '2026-01-01T00:00:00.000Z',
      updatedBy: 'dev-marketing',
    });
    const second = applyAutomationPut(
      first,
      { templateId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R', enabled: false },
      actor('admin'),
      '2026-02-01T00:00:00.000Z',
    );
    expect(second).toMatchObject({
      version: 2,
      enabled: false,
      createdBy: 'dev-marketing',
      updatedBy: 'dev-admin',
    });
  });
});
