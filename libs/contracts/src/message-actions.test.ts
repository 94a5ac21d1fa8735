import { describe, expect, it } from 'vitest';
import { BUS_EVENTS } from './bus-events.js';
import { CONTENT_MAX_TEXT_CHARS, CONTENT_ROUTES, ContentSchema } from './content.js';
import { DELETE_FOR_EVERYONE_CLOCK_SKEW_MS, DELETE_FOR_EVERYONE_LIMIT_MS, deleteForEveryoneOpen, QUOTE_EXCERPT_MAX_CHARS, quoteExcerpt } from './message-actions.js';

const target = { authorUserId: 'u-ada', messageId: 'm-1' };
const base = { conversationId: 'u-bob', target, sentAt: 1_700_000_000_000 };

describe('message action content', () => {
  it('accepts a reply (a text with a quote), a reaction, its removal, an edit and both deletions', () => {
    const contents = [
      { type: 'text', conversationId: 'u-bob', body: 'yes!', sentAt: 1, quote: { ...target, excerpt: 'coffee?' } },
      { type: 'reaction', ...base, emoji: '👍' },
      { type: 'reaction', ...base, emoji: '👨‍👩‍👧‍👦' },
      { type: 'reaction', ...base, emoji: '' },
      { type: 'edit', ...base, body: 'fixed typo' },
      { type: 'delete', ...base, for: 'everyone' },
      { type: 'delete', ...base, for: 'me' },
    ];
    for (const content of contents) expect(ContentSchema.parse(content)).toEqual(content);
  });

  it.each([
    ['a reaction longer than one emoji', { type: 'reaction', ...base, emoji: 'x'.repeat(33) }],
    ['a reaction without its target', { type: 'reaction', conversationId: 'u-bob', sentAt: 1, emoji: '👍' }],
    ['an empty edit', { type: 'edit', ...base, body: '' }],
    ['an edit longer than a text may be', { type: 'edit', ...base, body: 'x'.repeat(CONTENT_MAX_TEXT_CHARS + 1) }],
    ['a deletion of another kind', { type: 'delete', ...base, for: 'them' }],
    ['a target without a message id', { type: 'delete', ...base, target: { authorUserId: 'u-ada', messageId: '' }, for: 'everyone' }],
    ['a quote with an overlong excerpt', { type: 'text', conversationId: 'u-bob', body: 'x', sentAt: 1, quote: { ...target, excerpt: 'x'.repeat(QUOTE_EXCERPT_MAX_CHARS + 1) } }],
  ])('rejects %s', (_label, content) => {
    expect(ContentSchema.safeParse(content).success).toBe(false);
  });

  it('routes each action to its own bus event', () => {
    expect(CONTENT_ROUTES).toMatchObject({ reaction: 'content.reaction', edit: 'content.edit', delete: 'content.delete' });
    for (const route of ['content.reaction', 'content.edit', 'content.delete'] as const) expect(BUS_EVENTS[route]).toEqual({ version: 1, kind: 'event' });
  });

  it('allows delete for everyone for about two days, as WhatsApp', () => {
    expect(DELETE_FOR_EVERYONE_LIMIT_MS).toBeGreaterThan(48 * 3_600_000);
    expect(DELETE_FOR_EVERYONE_LIMIT_MS).toBeLessThan(49 * 3_600_000);
    const sentAt = 1_700_000_000_000;
    expect(deleteForEveryoneOpen(sentAt, sentAt + DELETE_FOR_EVERYONE_LIMIT_MS)).toBe(true);
    expect(deleteForEveryoneOpen(sentAt, sentAt + DELETE_FOR_EVERYONE_LIMIT_MS + 1)).toBe(false);
    // A receiver allows for clocks a few minutes apart.
    expect(deleteForEveryoneOpen(sentAt, sentAt + DELETE_FOR_EVERYONE_LIMIT_MS + 60_000, DELETE_FOR_EVERYONE_CLOCK_SKEW_MS)).toBe(true);
  });
});

describe('quoteExcerpt', () => {
  it('keeps a short text, folding its whitespace', () => {
    expect(quoteExcerpt('  see you\n\tat  noon ')).toBe('see you at noon');
  });

  it('cuts a long text with an ellipsis, never inside an emoji', () => {
    const long = `${'a'.repeat(QUOTE_EXCERPT_MAX_CHARS - 2)}😀😀😀`;
    const excerpt = quoteExcerpt(long);
    expect(excerpt.length).toBeLessThanOrEqual(QUOTE_EXCERPT_MAX_CHARS);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt).not.toMatch(/[\uD800-\uDBFF]…$/);
  });
});
