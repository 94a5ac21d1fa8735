import type { SearchQuery } from './search-tokens.js';

/**
 * An inverted index from normalized words to documents (small integers the caller maps to its
 * records). Exact words are a map lookup; a prefix is a binary search in the sorted vocabulary,
 * which is sorted again only after new words came in.
 */
export class InvertedIndex {
  private readonly postings = new Map<string, Set<number>>();
  private readonly tokensOf = new Map<number, readonly string[]>();
  private sortedTerms: string[] | null = [];

  /** Documents in the index. */
  get size(): number {
    return this.tokensOf.size;
  }

  /** Indexes `doc` under `tokens` (distinct, normalized), replacing what it had. */
  set(doc: number, tokens: readonly string[]): void {
    this.delete(doc);
    this.tokensOf.set(doc, tokens);
    for (const token of tokens) {
      let docs = this.postings.get(token);
      if (docs === undefined) {
        docs = new Set();
        this.postings.set(token, docs);
        this.sortedTerms = null;
      }
      docs.add(doc);
    }
  }

  /** Takes `doc` out of the index. */
  delete(doc: number): void {
    const tokens = this.tokensOf.get(doc);
    if (tokens === undefined) return;
    this.tokensOf.delete(doc);
    for (const token of tokens) {
      const docs = this.postings.get(token);
      docs?.delete(doc);
      // An emptied word stays in the vocabulary until the next sort: harmless, it matches nothing.
      if (docs?.size === 0) this.postings.delete(token);
    }
  }

  /** The documents that have every word of `query` and, when it has one, a word with its prefix. */
  match(query: SearchQuery): Set<number> {
    const { prefix } = query;
    const sets: Set<number>[] = [];
    for (const word of query.words) {
      const docs = this.postings.get(word);
      if (docs === undefined) return new Set();
      sets.push(docs);
    }
    if (sets.length === 0) return prefix === null ? new Set() : this.withPrefix(prefix);
    sets.sort((a, b) => a.size - b.size);
    const [smallest, ...others] = sets as [Set<number>, ...Set<number>[]];
    const result = new Set<number>();
    for (const doc of smallest) {
      if (!others.every((docs) => docs.has(doc))) continue;
      // A prefix that short matches thousands of words: checking the few candidates' own words is cheaper than their union.
      if (prefix !== null && !this.tokensOf.get(doc)!.some((token) => token.startsWith(prefix))) continue;
      result.add(doc);
    }
    return result;
  }

  /** Every document with a word that starts with `prefix`. */
  private withPrefix(prefix: string): Set<number> {
    const exact = this.postings.get(prefix);
    const terms = this.terms();
    let at = lowerBound(terms, prefix);
    const union = new Set<number>(exact);
    for (; at < terms.length && terms[at]!.startsWith(prefix); at++) {
      const docs = this.postings.get(terms[at]!);
      if (docs !== undefined && docs !== exact) for (const doc of docs) union.add(doc);
    }
    return union;
  }

  private terms(): string[] {
    this.sortedTerms ??= [...this.postings.keys()].sort();
    return this.sortedTerms;
  }
}

/** The first index in sorted `terms` whose term is not below `value`. */
function lowerBound(terms: readonly string[], value: string): number {
  let low = 0;
  let high = terms.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (terms[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
