/**
 * Words as search sees them: runs of letters and digits (Latin, Cyrillic, any script), compared
 * without case and without diacritics (é = e, ё = е), so "Cafe" finds "café" and "ежик" finds "Ёжик".
 */

// A word starts with a letter or digit; combining marks inside it belong to it (decomposed input).
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
const MARKS = /\p{M}+/gu;
// Letters that NFD leaves as they are: ASCII and the Cyrillic block except the few letters that
// carry a diacritic (ё, й, ї, ў and the like). Such a word only needs lower case: the fast path,
// as most chat words are.
const NOTHING_TO_DECOMPOSE = /^[0-9A-Za-z\u0410-\u0418\u041a-\u0438\u043a-\u044f]*$/;

/** One word of a text: where it stands in the original text, and its normalized form. */
export interface WordSpan {
  readonly start: number;
  readonly end: number;
  readonly token: string;
}

/** A word in the form the index keeps: lower case, diacritics removed. */
export function normalizeWord(word: string): string {
  if (NOTHING_TO_DECOMPOSE.test(word)) return word.toLowerCase();
  return word.normalize('NFD').replace(MARKS, '').toLowerCase();
}

/** Every word of `text`, in order, with its place in `text` (for highlighting). */
export function wordSpans(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  for (const match of text.matchAll(WORD)) {
    const token = normalizeWord(match[0]);
    if (token !== '') spans.push({ start: match.index, end: match.index + match[0].length, token });
  }
  return spans;
}

/** The distinct normalized words of `text`. */
export function tokenize(text: string): string[] {
  const tokens = new Set<string>();
  for (const match of text.matchAll(WORD)) tokens.add(normalizeWord(match[0]));
  tokens.delete('');
  return [...tokens];
}

/**
 * What a search asks for: every word in `words` exactly, and a word starting with `prefix` (the
 * last word while it is still being typed; null once the query ends in a space or punctuation).
 */
export interface SearchQuery {
  readonly words: readonly string[];
  readonly prefix: string | null;
}

/** The query a user typed, as words to match. Empty words and prefix: nothing to search for. */
export function parseQuery(text: string): SearchQuery {
  const spans = wordSpans(text);
  const last = spans.at(-1);
  const prefixOpen = last !== undefined && last.end === text.length;
  const words = (prefixOpen ? spans.slice(0, -1) : spans).map((span) => span.token);
  return { words: [...new Set(words)], prefix: prefixOpen ? last.token : null };
}

/** Whether a query asks for anything. */
export function isEmptyQuery(query: SearchQuery): boolean {
  return query.words.length === 0 && query.prefix === null;
}

/** Where `query` matches in `text`: the spans of its words (the prefix as a prefix), in order. */
export function matchSpans(text: string, query: SearchQuery): WordSpan[] {
  const exact = new Set(query.words);
  const { prefix } = query;
  return wordSpans(text).filter((span) => exact.has(span.token) || (prefix !== null && span.token.startsWith(prefix)));
}
