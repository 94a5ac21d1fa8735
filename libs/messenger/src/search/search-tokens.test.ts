import { describe, expect, it } from 'vitest';
import { matchSpans, normalizeWord, parseQuery, tokenize, wordSpans } from './search-tokens.js';

describe('search tokens', () => {
  it('splits Latin and Cyrillic text into words, without case, punctuation or repeats', () => {
    expect(tokenize('Hello, WORLD! Привет, мир — hello again; 2026-12-07')).toEqual(['hello', 'world', 'привет', 'мир', 'again', '2026', '12', '07']);
  });

  it('ignores diacritics: café = cafe, Ёжик = ежик, also when the text comes decomposed', () => {
    expect(normalizeWord('Café')).toBe('cafe');
    expect(normalizeWord('Ёжик')).toBe('ежик');
    expect(normalizeWord('Cafe\u0301')).toBe('cafe');
    expect(tokenize('Crème brûlée')).toEqual(['creme', 'brulee']);
  });

  it('keeps where each word stands in the original text', () => {
    const text = 'Ça va, Ёжик?';
    expect(wordSpans(text).map(({ start, end }) => text.slice(start, end))).toEqual(['Ça', 'va', 'Ёжик']);
  });

  it('the last word is a prefix while it is typed, a whole word after a space', () => {
    expect(parseQuery('Meet at the caf')).toEqual({ words: ['meet', 'at', 'the'], prefix: 'caf' });
    expect(parseQuery('meet cafe ')).toEqual({ words: ['meet', 'cafe'], prefix: null });
    expect(parseQuery('  ')).toEqual({ words: [], prefix: null });
  });

  it('finds the spans to highlight: whole words, and words that start with the prefix', () => {
    const text = 'The Café opens; cafeteria closed. Another cafe.';
    const spans = matchSpans(text, parseQuery('the caf'));
    expect(spans.map(({ start, end }) => text.slice(start, end))).toEqual(['The', 'Café', 'cafeteria', 'cafe']);
  });
});
