import { describe, expect, it } from 'vitest';
import {
  applyCampaignPatch,
  assertMayDeleteCampaign,
  assertMayManageCampaigns,
  cancelCampaign,
  newCampaign,
  scheduleCampaign,
  startSending,
} from '#shared/domain/campaign';
import { Conflict, Forbidden, Unprocessable } from '#shared/domain/errors';

const NOW = '2026-11-25T10:00:00.000Z';
const marketer = { userId: 'mk-1', roles: ['marketing'] as const, correlationId: 'c' };
const draft = newCampaign(
  { name: 'December', segmentId: '01JDQ3Z7YB8V5X1G6N2K4M9P0R', templateId: '01JDQ3Z7YB8V5X1G6N2K4M9P0S' },
  marketer,
  { id: '01JDQ3Z7YB8V5X1G6N2K4M9P0T', now: NOW },
);

describe('campaign life', () => {
  it('is managed by admins, managers and marketing only', () => {
    expect(() => assertMayManageCampaigns(marketer)).not.toThrow();
    expect(() => assertMayManageCampaigns({ ...marketer, roles: ['sales'] })).toThrow(Forbidden);
  });

  it('schedules a local time in its zone, in the future, with a new schedule id each time', () => {
    const scheduled = scheduleCampaign(draft, { sendAt: '2026-12-01T09:00', timeZone: 'Europe/Paris' }, NOW);
    expect(scheduled).toMatchObject({
      status: 'scheduled',
      version: 2,
      schedule: { at: '2026-12-01T08:00:00.000Z', scheduleId: `${draft.id}-v2` },
    });
    const moved = scheduleCampaign(
      scheduled,
      { sendAt: '2026-12-02T09:00', timeZone: 'America/New_York' },
      NOW,
    );
    expect(moved.schedule).toMatchObject({ at: '2026-12-02T14:00:00.000Z', scheduleId: `${draft.id}-v3` });
  });

  it('refuses a time in the past or skipped by the clocks, naming sendAt', () => {
    const past = () => scheduleCampaign(draft, { sendAt: '2026-11-25T10:59', timeZone: 'Europe/Paris' }, NOW);
    expect(past).toThrow(Unprocessable);
    const gap = () => scheduleCampaign(draft, { sendAt: '2027-03-28T02:30', timeZone: 'Europe/Paris' }, NOW);
    expect(gap).toThrow(
      expect.objectContaining({
        issues: [
          expect.objectContaining({ field: 'sendAt', detail: expect.stringMatching(/does not exist/) }),
        ],
      }),
    );
  });

  it('refuses a time out of range as such, and stores the zone with its IANA capitals', () => {
    const at =
      (sendAt: string, timeZone = 'Europe/Paris') =>
      () =>
        scheduleCampaign(draft, { sendAt, timeZone }, NOW);
    for (const [sendAt, detail] of [
      ['0000-01-01T00:00', 'Must be in the future'],
      ['9999-12-31T23:59', 'Must be within 5 years'],
      ['2032-01-01T09:00', 'Must be within 5 years'],
    ] as const) {
      expect(at(sendAt)).toThrow(
        expect.objectContaining({ issues: [expect.objectContaining({ field: 'sendAt', detail })] }),
      );
    }
    expect(at('2031-11-25T09:00')).not.toThrow();
    expect(
      scheduleCampaign(draft, { sendAt: '2026-12-01T09:00', timeZone: 'europe/paris' }, NOW).schedule,
    ).toMatchObject({
      timeZone: 'Europe/Paris',
      at: '2026-12-01T08:00:00.000Z',
    });
    expect(at('2026-12-01T09:00', 'SystemV/AST4')).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ field: 'timeZone' })] }),
    );
  });

  it('starts sending only from the schedule it expects, once', () => {
    const scheduled = scheduleCampaign(draft, { sendAt: '2026-12-01T09:00', timeZone: 'UTC' }, NOW);
    const renamed = applyCampaignPatch(scheduled, { name: 'December news' }, NOW);
    const sending = startSending(renamed, `${draft.id}-v2`, NOW);
    expect(sending).toMatchObject({ status: 'sending', startedAt: NOW });
    expect(startSending(sending as never, `${draft.id}-v2`, NOW)).toBeUndefined();
    expect(startSending(renamed, `${draft.id}-v1`, NOW)).toBeUndefined();
  });

  it('cancels and edits only before sending, and deletes only what is not pending', () => {
    const scheduled = scheduleCampaign(draft, { sendAt: '2026-12-01T09:00', timeZone: 'UTC' }, NOW);
    expect(() => assertMayDeleteCampaign(scheduled)).toThrow(Conflict);
    const cancelled = cancelCampaign(scheduled, NOW);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelledAt: NOW });
    expect(() => assertMayDeleteCampaign(cancelled)).not.toThrow();
    expect(startSending(cancelled, `${draft.id}-v2`, NOW)).toBeUndefined();
    expect(() => applyCampaignPatch(cancelled, { name: 'x' }, NOW)).toThrow(Conflict);
    const sending = startSending(scheduled, `${draft.id}-v2`, NOW) as never;
    expect(() => cancelCampaign(sending, NOW)).toThrow(Conflict);
  });
});
