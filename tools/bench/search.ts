/**
 * Message search benchmark (issue 18): 100,000 stored messages over 400 conversations, Latin and
 * Cyrillic text from a skewed vocabulary (a few words are everywhere, most are rare, as in chat).
 * Measures what the device does — the server cannot help, it holds ciphertext:
 *   - index build: the first search reads every conversation from the history store and indexes it
 *     (a store that lists a conversation through an index, as the shell's IndexedDB store does; the
 *     reference InMemoryHistoryStore scans every message per conversation, which would measure itself);
 *   - query latency p50/p99 over 2,000 queries (one word, two words, a prefix as typed, Cyrillic);
 *   - a new message arriving, then a search (its conversation is read again).
 *
 *   npx tsx tools/bench/search.ts [messages]
 */
import { performance } from 'node:perf_hooks';
import { type HistoryMessage, type HistoryStore, InMemoryHistoryStore, MessageSearch } from '@parley/messenger';
import { Subject } from 'rxjs';
import { percentile } from './relay-load.js';

const MESSAGES = Number(process.argv[2] ?? 100_000);
const CONVERSATIONS = 400;
const QUERIES = 2_000;

// A deterministic generator, so every run measures the same corpus.
let seed = 0x2f6b_1d3;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) >>> 0;
  return seed / 2 ** 32;
};

const SYLLABLES = ['ka', 'ro', 'mi', 'te', 'lu', 'san', 'der', 'vo', 'ni', 'pa', 'шо', 'ла', 'ми', 'ре', 'до', 'ка', 'ту', 'жи', 'ёл', 'cé'];
/** 20,000 distinct words, two to four syllables each. */
const VOCABULARY = [...new Set(Array.from({ length: 30_000 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join('')))].slice(0, 20_000);
/** Zipf-like: word i is drawn with weight 1/(i+1). */
const word = () => VOCABULARY[Math.min(VOCABULARY.length - 1, Math.floor(Math.exp(random() * Math.log(VOCABULARY.length + 1)) - 1))]!;
const sentence = () => {
  const words = Array.from({ length: 3 + Math.floor(random() * 15) }, word);
  words[0] = words[0]![0]!.toUpperCase() + words[0]!.slice(1);
  return `${words.join(' ')}${random() < 0.3 ? '?' : '.'}`;
};

function corpus(): HistoryMessage[] {
  return Array.from({ length: MESSAGES }, (_, i) => {
    const conversationId = `c${i % CONVERSATIONS}`;
    const out = random() < 0.4;
    return {
      messageId: `m${i}`,
      conversationId,
      direction: out ? 'out' : 'in',
      from: { userId: out ? 'me' : conversationId, deviceId: 1 },
      body: sentence(),
      sentAt: 1_700_000_000_000 + i * 1_000,
      storedAt: 1_700_000_000_000 + i * 1_000,
    } satisfies HistoryMessage;
  });
}

/** The reference in-memory store, with a conversation's messages at hand (what an IndexedDB index gives). */
class ByConversationHistory extends InMemoryHistoryStore {
  private readonly byConversation = new Map<string, HistoryMessage[]>();

  override async putMessage(message: HistoryMessage): Promise<void> {
    await super.putMessage(message);
    const list = this.byConversation.get(message.conversationId) ?? [];
    const at = list.findIndex((m) => m.messageId === message.messageId && m.from.userId === message.from.userId);
    if (at >= 0) list[at] = message;
    else list.push(message);
    this.byConversation.set(message.conversationId, list);
  }

  override async listMessages(conversationId: string): Promise<readonly HistoryMessage[]> {
    return [...(this.byConversation.get(conversationId) ?? [])];
  }
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

async function measure(label: string, history: HistoryStore) {
  const changes = new Subject<string | null>();
  const ids = Array.from({ length: CONVERSATIONS }, (_, i) => `c${i}`);
  const search = new MessageSearch({ history, conversationIds: async () => ids, changes$: changes });
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  await search.warmUp();
  const build = performance.now() - started;
  const heap = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  console.log(`${label}: index build (first search) ${ms(build)} for ${search.size.toLocaleString('en')} messages, ~${heap.toFixed(0)} MiB heap`);
  return { search, changes };
}

async function main() {
  const messages = corpus();
  const memory = new ByConversationHistory();
  for (const message of messages) await memory.putMessage(message);
  const { search, changes } = await measure('history in memory, by conversation', memory);

  const kinds: Record<string, () => string> = {
    'one word': () => `${word()} `,
    'two words': () => `${word()} ${word()} `,
    'prefix as typed': () => word().slice(0, 3),
    'word + prefix': () => `${word()} ${word().slice(0, 2)}`,
    Cyrillic: () => `${VOCABULARY.find((w) => /[а-яё]/.test(w) && random() < 0.05) ?? 'шола'} `,
  };
  const all: number[] = [];
  let found = 0;
  for (const [kind, make] of Object.entries(kinds)) {
    const times: number[] = [];
    for (let i = 0; i < QUERIES / Object.keys(kinds).length; i++) {
      const query = make();
      const t0 = performance.now();
      found += (await search.search(query)).length;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    console.log(`  query ${kind.padEnd(16)} p50 ${ms(percentile(times, 50))}  p99 ${ms(percentile(times, 99))}`);
  }
  all.sort((a, b) => a - b);
  console.log(`  all ${QUERIES} queries       p50 ${ms(percentile(all, 50))}  p99 ${ms(percentile(all, 99))}  (${(found / QUERIES).toFixed(1)} results each, at most 50)`);

  const arrivals: number[] = [];
  for (let i = 0; i < 50; i++) {
    const conversationId = `c${i}`;
    await memory.putMessage({ ...messages[i]!, messageId: `new${i}`, body: `arrived zanzibar${i}`, sentAt: Date.now() });
    changes.next(conversationId);
    const t0 = performance.now();
    const hits = await search.search(`zanzibar${i}`);
    arrivals.push(performance.now() - t0);
    if (hits.length !== 1) throw new Error(`the new message ${i} was not found`);
  }
  arrivals.sort((a, b) => a - b);
  console.log(`  new message in a ${MESSAGES / CONVERSATIONS}-message conversation, then search: p50 ${ms(percentile(arrivals, 50))}  p99 ${ms(percentile(arrivals, 99))}`);
  search.close();

}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
