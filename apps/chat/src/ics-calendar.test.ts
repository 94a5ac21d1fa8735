import type { ScheduledCall } from '@parley/messenger';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '@parley/bytes';
import { escapeIcsText, foldIcsLine, ICS_LINE_OCTETS, icsFileName, scheduledCallIcs } from './ics-calendar.js';
import { describeZone, formatCallTimes, utcToZonedLocal, zonedLocalToUtc } from './zoned-time.js';

const JOIN = 'https://parley.example/call#AAAAAAAAAAAAAAAAAAAAAA';

/** A call as its organizer enters it: wall-clock times in their own zone. */
function entered(timeZone: string, start: string, end: string, overrides: Partial<ScheduledCall> = {}): ScheduledCall {
  return {
    scheduleId: '6f0c1a4e-8d1b-4a57-9a43-2f1de3f0b001',
    conversationId: 'u-bob',
    title: 'Roadmap, Q1; part 1 \\ final',
    description: 'Agenda:\n1. budget, hiring; 2. launch',
    startsAt: zonedLocalToUtc(start, timeZone)!,
    endsAt: zonedLocalToUtc(end, timeZone)!,
    timeZone,
    linkSecret: 'AAAAAAAAAAAAAAAAAAAAAA',
    organizer: { userId: 'u-ada', displayName: 'Ada' },
    status: 'scheduled',
    revision: 1,
    updatedAt: Date.UTC(2026, 10, 26, 3, 0, 0),
    ...overrides,
  };
}

function parseEvent(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vevent = calendar.getFirstSubcomponent('vevent')!;
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

// The machine's own zone must not matter: everything names its zone.
const machineZone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'Pacific/Kiritimati';
});
afterAll(() => {
  if (machineZone === undefined) delete process.env.TZ;
  else process.env.TZ = machineZone;
});

describe('the .ics file of a scheduled call, read back with ical.js', () => {
  it('an organizer in Moscow: 18:00–19:30 MSK is 15:00–16:30 UTC, and 10:00–11:30 for a viewer in New York', () => {
    const call = entered('Europe/Moscow', '2026-12-01T18:00', '2026-12-01T19:30');
    expect(call.startsAt).toBe(Date.UTC(2026, 11, 1, 15, 0));
    expect(call.endsAt).toBe(Date.UTC(2026, 11, 1, 16, 30));

    const { event, vevent, calendar } = parseEvent(scheduledCallIcs(call, JOIN));
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(event.uid).toBe(call.scheduleId);
    expect(event.startDate.zone?.tzid).toBe('UTC');
    expect(event.startDate.toJSDate().getTime()).toBe(Date.UTC(2026, 11, 1, 15, 0));
    expect(event.endDate.toJSDate().getTime()).toBe(Date.UTC(2026, 11, 1, 16, 30));
    expect(event.summary).toBe('Roadmap, Q1; part 1 \\ final');
    expect(event.description).toBe(`Agenda:\n1. budget, hiring; 2. launch\n\n${JOIN}`);
    expect(event.sequence).toBe(1);
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(vevent.getFirstPropertyValue('url')).toBe(JOIN);
    expect((vevent.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().getTime()).toBe(call.updatedAt);

    expect(formatCallTimes(call.startsAt, call.endsAt, 'America/New_York', 'en-US')).toMatch(/^Tue, Dec 1, 2026, 10:00\sAM – 11:30\sAM$/);
    expect(describeZone(call.startsAt, 'America/New_York', 'en-US')).toBe('America/New York (GMT-5)');
    expect(formatCallTimes(call.startsAt, call.endsAt, 'Europe/Moscow', 'ru-RU')).toMatch(/18:00 – 19:30$/);
  });

  it('an organizer in New York in summer (EDT): 09:00–10:00 is 13:00–14:00 UTC, and 16:00 in Moscow', () => {
    const call = entered('America/New_York', '2026-07-01T09:00', '2026-07-01T10:00', { revision: 3, status: 'cancelled' });
    expect(call.startsAt).toBe(Date.UTC(2026, 6, 1, 13, 0));

    const { event, vevent } = parseEvent(scheduledCallIcs(call, JOIN));
    expect(event.startDate.toJSDate().getTime()).toBe(Date.UTC(2026, 6, 1, 13, 0));
    expect(event.endDate.toJSDate().getTime()).toBe(Date.UTC(2026, 6, 1, 14, 0));
    expect(event.sequence).toBe(3);
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');

    expect(utcToZonedLocal(call.startsAt, 'Europe/Moscow')).toBe('2026-07-01T16:00');
    expect(describeZone(call.startsAt, 'Europe/Moscow', 'en-US')).toBe('Europe/Moscow (GMT+3)');
    expect(describeZone(call.startsAt, 'America/New_York', 'en-US')).toBe('America/New York (GMT-4)');
  });

  it('uses CRLF, folds at 75 octets without splitting a character, and escapes , ; \\ and newlines', () => {
    const long = 'Планёрка по запуску, '.repeat(8);
    const call = entered('Europe/Moscow', '2026-12-01T18:00', '2026-12-01T19:00', { title: long, description: 'x'.repeat(300) });
    const ics = scheduledCallIcs(call, JOIN);
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = ics.split('\r\n').slice(0, -1);
    for (const line of lines) expect(utf8(line).length).toBeLessThanOrEqual(ICS_LINE_OCTETS);
    expect(lines.some((line) => line.startsWith(' '))).toBe(true);
    const { event } = parseEvent(ics);
    expect(event.summary).toBe(long);
    expect(event.description.startsWith('x'.repeat(300))).toBe(true);

    expect(escapeIcsText('a,b;c\\d\ne\r\nf')).toBe('a\\,b\\;c\\\\d\\ne\\nf');
    expect(foldIcsLine('A'.repeat(75))).toBe('A'.repeat(75));
    expect(foldIcsLine('A'.repeat(76))).toBe(`${'A'.repeat(75)}\r\n A`);
  });

  it('names the file after the title', () => {
    expect(icsFileName({ title: 'Roadmap, Q1: part 1' })).toBe('Roadmap-Q1-part-1.ics');
    expect(icsFileName({ title: '!!!' })).toBe('call.ics');
  });
});

describe('wall-clock times in a named zone', () => {
  it('a datetime-local value means the same instant whatever the machine’s zone', () => {
    expect(zonedLocalToUtc('2026-12-01T18:00', 'Europe/Moscow')).toBe(Date.UTC(2026, 11, 1, 15));
    expect(zonedLocalToUtc('2026-12-01T10:00', 'America/New_York')).toBe(Date.UTC(2026, 11, 1, 15));
    expect(zonedLocalToUtc('2026-12-01 10:00', 'America/New_York')).toBeNull();
    expect(utcToZonedLocal(Date.UTC(2026, 11, 1, 15), 'America/New_York')).toBe('2026-12-01T10:00');
  });

  it('across DST changes: a skipped time lands after the jump, a repeated one on its first pass', () => {
    // New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT; 1 November 2026: 02:00 EDT falls back to 01:00 EST.
    expect(zonedLocalToUtc('2026-03-08T02:30', 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 7, 30));
    expect(zonedLocalToUtc('2026-11-01T01:30', 'America/New_York')).toBe(Date.UTC(2026, 10, 1, 5, 30));
  });
});
