import type { Automation, AutomationKind, PutAutomationRequest } from '#shared/schemas/automation';
import { type Actor, hasAnyRole } from './actor.ts';
import { Forbidden } from './errors.ts';

/**
 * Automated e-mails (birthday, anniversary): who may configure them, and the calendar rules of who
 * is greeted on a day. Pure functions; dates are calendar days `YYYY-MM-DD` (UTC for instants).
 */

const MANAGE = ['admin', 'manager', 'marketing'] as const;

/** The same people who manage campaigns: admins, managers and marketing. */
export const assertMayManageAutomations = (actor: Actor): void => {
  if (!hasAnyRole(actor, MANAGE))
    throw new Forbidden('Only admins, managers and marketing manage automated e-mails.');
};

/** What an automation is before anyone configured it: disabled, no template, version 0 (ETag "0"). */
export const unconfiguredAutomation = (kind: AutomationKind): Automation => ({
  kind,
  enabled: false,
  templateId: null,
  version: 0,
});

/** The next version of an automation after a PUT (the first PUT creates version 1). */
export const applyAutomationPut = (
  current: Automation,
  input: PutAutomationRequest,
  actor: Actor,
  now: string,
): Automation => ({
  kind: current.kind,
  enabled: input.enabled,
  templateId: input.templateId,
  version: current.version + 1,
  createdAt: current.createdAt ?? now,
  createdBy: current.createdBy ?? actor.userId,
  updatedAt: now,
  updatedBy: actor.userId,
});

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** `MM-DD` of a calendar day (`1990-12-10`) or of an ISO instant, taken in UTC (`…T23:30:00Z`). */
export const monthDayOf = (dateOrInstant: string): string =>
  dateOrInstant.length === 10 ? dateOrInstant.slice(5) : new Date(dateOrInstant).toISOString().slice(5, 10);

/** The UTC calendar day of an instant. */
export const utcDay = (instant: string): string => new Date(instant).toISOString().slice(0, 10);

/**
 * The month-days whose people are greeted on `day`: its own, and on 28 February of a year without
 * a 29th, also 02-29 (people born, or who first bought, on a leap day are greeted the day before
 * March rather than not at all).
 */
export const monthDaysGreetedOn = (day: string): string[] => {
  const monthDay = day.slice(5);
  return monthDay === '02-28' && !isLeapYear(Number(day.slice(0, 4))) ? ['02-28', '02-29'] : [monthDay];
};

/** Whether a date's anniversary (birthday, first purchase) falls on `day`. */
export const isGreetedOn = (dateOrInstant: string, day: string): boolean =>
  monthDaysGreetedOn(day).includes(monthDayOf(dateOrInstant));

/**
 * Whole years from a first purchase to `day` when `day` is its anniversary, else 0. The first
 * purchase's own day is 0 years: nobody is thanked for a purchase they made this morning.
 */
export const anniversaryYears = (firstPurchaseAt: string, day: string): number => {
  if (!isGreetedOn(firstPurchaseAt, day)) return 0;
  return Math.max(0, Number(day.slice(0, 4)) - Number(utcDay(firstPurchaseAt).slice(0, 4)));
};

/**
 * The send-ledger kind of one year's e-mail (`birthday-2026`): claimed once per person and year.
 * Lower-case letters, digits and `-` only, as the GDPR export's `EmailDelivery.kind` documents.
 */
export const deliveryKindOf = (kind: AutomationKind, day: string): string => `${kind}-${day.slice(0, 4)}`;

/** Why a person listed on the index for today is (not) greeted, decided on their fresh record. */
export const isDue = (
  kind: AutomationKind,
  dates: { birthday?: string; firstPurchaseAt?: string },
  day: string,
): boolean =>
  kind === 'birthday'
    ? dates.birthday !== undefined && isGreetedOn(dates.birthday, day)
    : dates.firstPurchaseAt !== undefined && anniversaryYears(dates.firstPurchaseAt, day) >= 1;

/** The name a template sees as `campaign.name` (and the SES tags carry the kind as `messageKind`). */
export const AUTOMATION_NAMES: Record<AutomationKind, string> = {
  birthday: 'Birthday e-mail',
  anniversary: 'Anniversary e-mail',
};
