/**
 * Date separators between messages ("Today", "Yesterday", a weekday, a date), in the reader's time
 * zone and language. Pure: the clock and the zone are arguments, so tests pin both.
 */

/** The calendar day of an instant in `timeZone`, as YYYY-MM-DD (en-CA formats dates that way). */
export function dayKey(at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

const DAY_MS = 86_400_000;

/** Whole calendar days from `key` to `todayKey` (both YYYY-MM-DD). */
function daysBetween(key: string, todayKey: string): number {
  return Math.round((Date.parse(`${todayKey}T00:00:00Z`) - Date.parse(`${key}T00:00:00Z`)) / DAY_MS);
}

/** The separator's words for the day of `at`, seen at `now`. */
export function dayLabel(at: number, options: { now: number; locale: string; today: string; yesterday: string; timeZone?: string }): string {
  const { now, locale, timeZone } = options;
  const days = daysBetween(dayKey(at, timeZone), dayKey(now, timeZone));
  if (days === 0) return options.today;
  if (days === 1) return options.yesterday;
  if (days > 1 && days < 7) return new Intl.DateTimeFormat(locale, { timeZone, weekday: 'long' }).format(at);
  const sameYear = dayKey(at, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  return new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) }).format(at);
}

/** Where separators go in a timeline sorted by time: the indexes of the first item of each day. */
export function dayStarts(times: readonly number[], timeZone?: string): Set<number> {
  const starts = new Set<number>();
  let previous: string | null = null;
  times.forEach((at, index) => {
    const key = dayKey(at, timeZone);
    if (key !== previous) starts.add(index);
    previous = key;
  });
  return starts;
}
