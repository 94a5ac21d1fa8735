/**
 * A scheduled call as an iCalendar file (RFC 5545): one VEVENT in a VCALENDAR, times in UTC, so
 * every calendar shows it in its own zone. Pure: the download is the card's business.
 */
import { utf8 } from '@parley/bytes';
import type { ScheduledCall } from '@parley/messenger';

/** Lines longer than this many octets are folded (RFC 5545 §3.1), not counting the CRLF. */
export const ICS_LINE_OCTETS = 75;
const CRLF = '\r\n';

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines. */
export function escapeIcsText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** A UTC DATE-TIME (`20261201T150000Z`). */
export function icsUtc(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Folds a content line at 75 octets: the continuation lines start with one space (which counts
 * toward their 75). A UTF-8 character is never split.
 */
export function foldIcsLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8(char).length;
    const limit = parts.length === 0 ? ICS_LINE_OCTETS : ICS_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

/** The .ics text of a scheduled call: UID = schedule id, SEQUENCE = revision, the join link in the description. */
export function scheduledCallIcs(call: ScheduledCall, joinUrl: string): string {
  const description = call.description.trim().length > 0 ? `${call.description.trim()}\n\n${joinUrl}` : joinUrl;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Parley//Scheduled calls//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeIcsText(call.scheduleId)}`,
    `DTSTAMP:${icsUtc(call.updatedAt)}`,
    `DTSTART:${icsUtc(call.startsAt)}`,
    `DTEND:${icsUtc(call.endsAt)}`,
    `SEQUENCE:${call.revision}`,
    `SUMMARY:${escapeIcsText(call.title)}`,
    `DESCRIPTION:${escapeIcsText(description)}`,
    `LOCATION:${escapeIcsText(joinUrl)}`,
    `URL:${joinUrl}`,
    `STATUS:${call.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldIcsLine).join(CRLF) + CRLF;
}

/** A file name for the download: the title's letters and digits, or `call`. */
export function icsFileName(call: Pick<ScheduledCall, 'title'>): string {
  const slug = call.title
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug.length > 0 ? slug : 'call'}.ics`;
}
