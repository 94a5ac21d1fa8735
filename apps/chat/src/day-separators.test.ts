import { describe, expect, it } from 'vitest';
import { dayKey, dayLabel, dayStarts } from './day-separators.js';

const zone = 'Europe/Moscow'; // UTC+3 all year: midnight there is 21:00 UTC the day before.
const now = Date.parse('2026-12-07T12:00:00Z'); // a Monday
const words = { today: 'Today', yesterday: 'Yesterday' };

describe('date separators', () => {
  it('name the day in the reader’s time zone', () => {
    expect(dayKey(Date.parse('2026-12-06T20:59:00Z'), zone)).toBe('2026-12-06');
    expect(dayKey(Date.parse('2026-12-06T21:00:00Z'), zone)).toBe('2026-12-07');
  });

  it('say Today, Yesterday, a weekday within the week, then a date (with the year only when it differs)', () => {
    const label = (iso: string, locale = 'en-US') => dayLabel(Date.parse(iso), { now, locale, timeZone: zone, ...words });
    expect(label('2026-12-07T08:00:00Z')).toBe('Today');
    expect(label('2026-12-06T21:30:00Z')).toBe('Today');
    expect(label('2026-12-06T20:30:00Z')).toBe('Yesterday');
    expect(label('2026-12-03T10:00:00Z')).toBe('Thursday');
    expect(label('2026-12-03T10:00:00Z', 'ru-RU')).toBe('четверг');
    expect(label('2026-11-20T10:00:00Z')).toBe('November 20');
    expect(label('2025-11-20T10:00:00Z')).toBe('November 20, 2025');
  });

  it('go before the first item of each day', () => {
    const times = ['2026-12-05T10:00:00Z', '2026-12-05T11:00:00Z', '2026-12-06T22:00:00Z', '2026-12-07T09:00:00Z'].map(Date.parse);
    expect([...dayStarts(times, zone)]).toEqual([0, 2]);
    expect([...dayStarts([], zone)]).toEqual([]);
  });
});
