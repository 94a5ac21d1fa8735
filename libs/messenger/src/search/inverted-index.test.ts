import { describe, expect, it } from 'vitest';
import { InvertedIndex } from './inverted-index.js';
import { parseQuery, tokenize } from './search-tokens.js';

function indexOf(texts: string[]) {
  const index = new InvertedIndex();
  texts.forEach((text, doc) => index.set(doc, tokenize(text)));
  return index;
}

const find = (index: InvertedIndex, query: string) => [...index.match(parseQuery(query))].sort();

describe('InvertedIndex', () => {
  const index = indexOf(['climbing at six', 'Climbers meet at seven', 'встреча в кафе', 'кафедра закрыта', 'six ropes']);

  it('needs every word, the last one as a prefix', () => {
    expect(find(index, 'climb')).toEqual([0, 1]);
    expect(find(index, 'at six')).toEqual([0]);
    expect(find(index, 'six')).toEqual([0, 4]);
    expect(find(index, 'кафе')).toEqual([2, 3]);
    expect(find(index, 'кафе ')).toEqual([2]);
  });

  it('finds nothing for a word nobody wrote, or an empty query', () => {
    expect(find(index, 'rope at')).toEqual([]);
    expect(find(index, 'zebra')).toEqual([]);
    expect(find(index, '')).toEqual([]);
  });

  it('replaces a document\'s words, and forgets a deleted one', () => {
    const changing = indexOf(['old words here']);
    changing.set(0, tokenize('new text'));
    expect(find(changing, 'old')).toEqual([]);
    expect(find(changing, 'new')).toEqual([0]);
    changing.delete(0);
    expect(find(changing, 'new')).toEqual([]);
    expect(changing.size).toBe(0);
    changing.set(1, tokenize('newer'));
    expect(find(changing, 'new')).toEqual([1]);
  });
});
