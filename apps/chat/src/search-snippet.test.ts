import { describe, expect, it } from 'vitest';
import { searchSnippet } from './search-snippet.js';

const render = (parts: ReturnType<typeof searchSnippet>) => parts.map((p) => (p.match ? `[${p.text}]` : p.text)).join('');

describe('searchSnippet', () => {
  it('marks every match, the last word as a prefix, ignoring case and diacritics', () => {
    expect(render(searchSnippet('Lunch at the Café, then cafeteria?', 'lunch caf'))).toBe('[Lunch] at the [Café], then [cafeteria]?');
    expect(render(searchSnippet('Встреча в КАФЕ', 'кафе'))).toBe('Встреча в [КАФЕ]');
  });

  it('cuts a long text around the first match at word boundaries', () => {
    const body = `${'word '.repeat(40)}the needle is here ${'tail '.repeat(40)}`.trim();
    const text = render(searchSnippet(body, 'needle', 60));
    expect(text.startsWith('…word')).toBe(true);
    expect(text).toContain('[needle]');
    expect(text.endsWith('…')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(66);
  });
});
