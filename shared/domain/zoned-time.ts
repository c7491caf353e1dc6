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

/** The zones of the IANA database as this runtime's ICU lists them (its own legacy names are not). */
const IANA_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
/** IANA names have their capitals (`Europe/Paris`, `America/Port-au-Prince`, `Etc/GMT+5`). */
const IANA_SPELLING = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)*$/;

/**
 * The name to store and hand to EventBridge Scheduler for a time zone a person typed, or undefined
 * when it is none: the IANA capitals restored (`europe/paris` → `Europe/Paris`), another IANA name
 * of a zone kept as written (`Asia/Kolkata`, though ICU says `Asia/Calcutta`), and ICU-only names
 * (`SystemV/AST4`) refused.
 */
export const canonicalTimeZone = (name: string): string | undefined => {
  let resolved: string;
  try {
    resolved = formatterFor(name).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  if (!IANA_ZONES.has(resolved) && !resolved.startsWith('Etc/')) return undefined;
  if (name.toLowerCase() === resolved.toLowerCase()) return resolved;
  return IANA_SPELLING.test(name) ? name : undefined;
};

export const isTimeZone = (timeZone: string): boolean => canonicalTimeZone(timeZone) !== undefined;

/** Whether `YYYY-MM-DDTHH:mm[:ss]` names a real calendar moment (no 30 February, no 24:00). */
export const isRealWallTime = (wallTime: string): boolean => {
  const full = wallTime.length === 16 ? `${wallTime}:00` : wallTime;
  const ms = Date.parse(`${full}Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === full;
};

/** `wallTime` is `YYYY-MM-DDTHH:mm` or `YYYY-MM-DDTHH:mm:ss`, without offset. */
export const instantOfWallTime = (wallTime: string, timeZone: string): ZonedInstant => {
  if (!isTimeZone(timeZone)) return { kind: 'unknown-time-zone' };
  if (!isRealWallTime(wallTime)) return { kind: 'nonexistent' };
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
