/**
 * Wall-clock times in an IANA time zone ("2026-03-29T09:00 in Europe/Paris"), as people schedule
 * campaigns, turned into instants. Daylight-saving transitions make some wall times ambiguous (the
 * hour repeated in autumn: the first one is meant, as EventBridge Scheduler runs it once) and some
 * nonexistent (the hour skipped in spring: Scheduler would never run it, so it is refused).
 */

export type ZonedInstant =
  | { kind: 'instant'; at: string }
  | { kind: 'nonexistent' }
  | { kind: 'unknown-time-zone' };

const HOUR_MS = 60 * 60 * 1000;

const formatterFor = (timeZone: string) =>
  new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

/** The zone's wall clock at an instant, read as if it were UTC (milliseconds). */
const wallClockAt = (formatter: Intl.DateTimeFormat, instantMs: number): number => {
  const part = (type: string) =>
    Number(formatter.formatToParts(new Date(instantMs)).find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
};

export const isTimeZone = (timeZone: string): boolean => {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
};

/** `wallTime` is `YYYY-MM-DDTHH:mm` or `YYYY-MM-DDTHH:mm:ss`, without offset. */
export const instantOfWallTime = (wallTime: string, timeZone: string): ZonedInstant => {
  if (!isTimeZone(timeZone)) return { kind: 'unknown-time-zone' };
  const formatter = formatterFor(timeZone);
  const wallMs = Date.parse(`${wallTime.length === 16 ? `${wallTime}:00` : wallTime}Z`);
  // The offsets in force half a day either side cover any transition near this wall time.
  const offsets = [wallMs - 12 * HOUR_MS, wallMs + 12 * HOUR_MS].map(
    (probe) => wallClockAt(formatter, probe) - probe,
  );
  const candidates = [...new Set(offsets.map((offset) => wallMs - offset))]
    .filter((instant) => wallClockAt(formatter, instant) === wallMs)
    .sort((a, b) => a - b);
  const first = candidates[0];
  return first === undefined
    ? { kind: 'nonexistent' }
    : { kind: 'instant', at: new Date(first).toISOString() };
};
