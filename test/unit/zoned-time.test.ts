import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, instantOfWallTime, isRealWallTime, isTimeZone } from '#shared/domain/zoned-time';

describe('wall times in a time zone', () => {
  it('reads ordinary times with the offset in force that day', () => {
    expect(instantOfWallTime('2026-07-01T09:00', 'Europe/Paris')).toEqual({
      kind: 'instant',
      at: '2026-07-01T07:00:00.000Z',
    });
    expect(instantOfWallTime('2026-12-01T09:00:30', 'America/New_York')).toEqual({
      kind: 'instant',
      at: '2026-12-01T14:00:30.000Z',
    });
    expect(instantOfWallTime('2026-12-01T09:00', 'UTC')).toEqual({
      kind: 'instant',
      at: '2026-12-01T09:00:00.000Z',
    });
  });

  it('refuses the hour skipped in spring (it never happens there)', () => {
    expect(instantOfWallTime('2026-03-29T02:30', 'Europe/Paris')).toEqual({ kind: 'nonexistent' });
    expect(instantOfWallTime('2026-03-08T02:15', 'America/New_York')).toEqual({ kind: 'nonexistent' });
    expect(instantOfWallTime('2026-03-29T03:00', 'Europe/Paris')).toEqual({
      kind: 'instant',
      at: '2026-03-29T01:00:00.000Z',
    });
  });

  it('takes the first of the hour repeated in autumn', () => {
    expect(instantOfWallTime('2026-10-25T02:30', 'Europe/Paris')).toEqual({
      kind: 'instant',
      at: '2026-10-25T00:30:00.000Z',
    });
    expect(instantOfWallTime('2026-11-01T01:30', 'America/New_York')).toEqual({
      kind: 'instant',
      at: '2026-11-01T05:30:00.000Z',
    });
  });

  it('knows IANA zones and nothing else', () => {
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(instantOfWallTime('2026-07-01T09:00', 'Nowhere/Land')).toEqual({ kind: 'unknown-time-zone' });
  });

  it('stores a zone with its IANA capitals, keeps other IANA names of it, and refuses ICU-only names', () => {
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(canonicalTimeZone('Europe/Kyiv')).toBe('Europe/Kyiv');
    expect(canonicalTimeZone('SystemV/AST4')).toBeUndefined();
    expect(canonicalTimeZone('asia/kolkata')).toBeUndefined();
  });

  it('knows a real calendar moment from one that rolls over', () => {
    expect(isRealWallTime('2028-02-29T09:00')).toBe(true);
    expect(isRealWallTime('2027-03-01T23:59:59')).toBe(true);
    for (const bad of [
      '2027-02-29T09:00',
      '2027-02-30T09:00',
      '2027-04-31T09:00',
      '2027-03-01T24:00',
      '2027-13-01T09:00',
    ]) {
      expect(isRealWallTime(bad)).toBe(false);
    }
    expect(instantOfWallTime('2027-02-30T09:00', 'UTC')).toEqual({ kind: 'nonexistent' });
  });
});
