/**
 * Wall-clock time in a named IANA zone, with Intl only (no machine zone involved): what a
 * `datetime-local` field means in the organizer's zone, and how a call's time reads in a viewer's.
 */

const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClocks.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at the instant `at`, as numbers. */
function wallClockParts(at: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(wallClock(timeZone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

/** How far `timeZone`'s wall clock is ahead of UTC at the instant `at`, in ms. */
export function zoneOffsetMs(at: number, timeZone: string): number {
  const w = wallClockParts(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/**
 * The instant a `datetime-local` value (`2026-12-01T18:00`) names in `timeZone`, or null when it
 * is malformed. A time skipped by a DST jump lands after the jump; a repeated one on its first pass.
 */
export function zonedLocalToUtc(local: string, timeZone: string): number | null {
  const match = LOCAL_PATTERN.exec(local);
  if (match === null) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  if (Number.isNaN(wall)) return null;
  // Two passes: the offset at the first guess may differ from the one at the answer (a DST change).
  const first = wall - zoneOffsetMs(wall, timeZone);
  const second = wall - zoneOffsetMs(first, timeZone);
  const exact = [first, second].filter((at) => utcToZonedLocal(at, timeZone) === local);
  return exact.length > 0 ? Math.min(...exact) : Math.max(first, second);
}

/** The `datetime-local` value of the instant `at` in `timeZone`. */
export function utcToZonedLocal(at: number, timeZone: string): string {
  const w = wallClockParts(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
}

/** The zone's offset as Intl names it (`GMT+3`, `GMT-5`) at the instant `at`. */
export function zoneOffsetName(at: number, timeZone: string, locale = 'en-US'): string {
  const part = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'shortOffset' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone;
}

/** "Tue, Dec 1, 2026, 10:00 AM – 11:00 AM" in `timeZone` (the end with its date when it is another day). */
export function formatCallTimes(startsAt: number, endsAt: number, timeZone: string, locale: string): string {
  const full = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const timeOnly = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' });
  const sameDay = utcToZonedLocal(startsAt, timeZone).slice(0, 10) === utcToZonedLocal(endsAt, timeZone).slice(0, 10);
  return `${full.format(new Date(startsAt))} – ${(sameDay ? timeOnly : full).format(new Date(endsAt))}`;
}

/** The zone as the card names it: `America/New_York (GMT-5)`. */
export function describeZone(at: number, timeZone: string, locale: string): string {
  return `${timeZone.replace(/_/g, ' ')} (${zoneOffsetName(at, timeZone, locale)})`;
}
