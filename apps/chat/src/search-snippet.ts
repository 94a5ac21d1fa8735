import { matchSpans, parseQuery } from '@parley/messenger/page';

/** A piece of a snippet: plain text, or a match to highlight. */
export interface SnippetPart {
  readonly text: string;
  readonly match: boolean;
}

/**
 * The part of `body` to show in a search result: about `width` characters around the first match
 * (whole words at the cut, an ellipsis where text was left out), split into plain and matched parts.
 */
export function searchSnippet(body: string, query: string, width = 120): SnippetPart[] {
  const spans = matchSpans(body, parseQuery(query));
  const first = spans[0];
  let start = 0;
  if (first !== undefined && first.start > width / 3) {
    start = first.start - Math.floor(width / 3);
    const space = body.indexOf(' ', start);
    start = space >= 0 && space < first.start ? space + 1 : start;
  }
  let end = Math.min(body.length, start + width);
  if (end < body.length) {
    const space = body.lastIndexOf(' ', end);
    end = space > (first?.end ?? start) ? space : end;
  }
  const parts: SnippetPart[] = [];
  if (start > 0) parts.push({ text: '…', match: false });
  let at = start;
  for (const span of spans) {
    if (span.end <= start || span.start >= end) continue;
    if (span.start > at) parts.push({ text: body.slice(at, span.start), match: false });
    parts.push({ text: body.slice(Math.max(at, span.start), Math.min(end, span.end)), match: true });
    at = Math.min(end, span.end);
  }
  if (at < end) parts.push({ text: body.slice(at, end), match: false });
  if (end < body.length) parts.push({ text: '…', match: false });
  return parts;
}
