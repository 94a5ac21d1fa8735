/**
 * What people do to messages already sent (issue 18): quote one in a reply, react to one with an
 * emoji, edit their own, delete one. Each is Signal content, end-to-end encrypted like the text it
 * is about; a message is named by its author and the author's client message id, which is how
 * every device keys its history.
 */
import { z } from 'zod';
import { CONTENT_MAX_TEXT_CHARS } from './content-limits.js';

/**
 * How long after sending the author may delete a message for everyone: WhatsApp's limit (about two
 * days, 48 h 8 min as of 2023). Long enough to notice a message sent to the wrong chat after a night,
 * short enough that an old conversation cannot be rewritten under the other person's feet. The
 * sender's UI stops offering it after this, and receivers refuse a later request (allowing for
 * clocks that differ by minutes, see DELETE_FOR_EVERYONE_CLOCK_SKEW_MS).
 */
export const DELETE_FOR_EVERYONE_LIMIT_MS = (48 * 60 + 8) * 60_000;
/** How much later than the limit a receiver still applies a delete: two clocks may differ. */
export const DELETE_FOR_EVERYONE_CLOCK_SKEW_MS = 5 * 60_000;
/** The longest quoted excerpt in a reply, in characters (the quote is a preview; the original is kept). */
export const QUOTE_EXCERPT_MAX_CHARS = 200;
/** The longest reaction, in UTF-16 code units: one emoji, also with skin tone and joiners (a family is 11). */
export const REACTION_MAX_CHARS = 32;

const id = z.string().min(1).max(128);

/** A message as every device keys it: who wrote it and their client message id. */
export const MessageRefSchema = z.object({
  authorUserId: id,
  messageId: id,
});

/** What a reply carries of the message it answers: enough to show the quote and jump to the original. */
export const QuoteSchema = MessageRefSchema.extend({
  excerpt: z.string().max(QUOTE_EXCERPT_MAX_CHARS),
});

/**
 * Fields every action shares. `conversationId` is the sender's view, as in a text: a 1:1 action
 * names the peer (the receiver's own user id), a group action the group.
 */
const actionFields = {
  conversationId: id,
  target: MessageRefSchema,
  /** Sender's clock, ms: the later of two actions by one person wins. */
  sentAt: z.number().int().nonnegative(),
};

/** One person's reaction to a message: a new one replaces theirs, an empty `emoji` takes it back. */
export const ReactionContentSchema = z.object({
  type: z.literal('reaction'),
  ...actionFields,
  emoji: z.string().max(REACTION_MAX_CHARS),
});

/** New text for a message; accepted only from the message's author. */
export const EditContentSchema = z.object({
  type: z.literal('edit'),
  ...actionFields,
  body: z.string().min(1).max(CONTENT_MAX_TEXT_CHARS),
});

/**
 * A deletion. `everyone`: the author takes the message back (within DELETE_FOR_EVERYONE_LIMIT_MS),
 * every device shows a tombstone instead. `me`: this account's other devices hide it too (sent only
 * to the account's own devices, accepted only from them).
 */
export const DeleteContentSchema = z.object({
  type: z.literal('delete'),
  ...actionFields,
  for: z.enum(['everyone', 'me']),
});

/** The action content types, for the content union (content.ts). */
export const MESSAGE_ACTION_SCHEMAS = [ReactionContentSchema, EditContentSchema, DeleteContentSchema] as const;

/** The bus event each action is delivered on, once the messenger applied it to the history. */
export const MESSAGE_ACTION_ROUTES = {
  reaction: 'content.reaction',
  edit: 'content.edit',
  delete: 'content.delete',
} as const;

export type MessageRef = z.infer<typeof MessageRefSchema>;
export type Quote = z.infer<typeof QuoteSchema>;
export type ReactionContent = z.infer<typeof ReactionContentSchema>;
export type EditContent = z.infer<typeof EditContentSchema>;
export type DeleteContent = z.infer<typeof DeleteContentSchema>;
export type MessageActionContent = ReactionContent | EditContent | DeleteContent;

/** A reply's excerpt of `body`: its start, whitespace folded, cut at QUOTE_EXCERPT_MAX_CHARS with an ellipsis. */
export function quoteExcerpt(body: string): string {
  const folded = body.replace(/\s+/g, ' ').trim();
  if (folded.length <= QUOTE_EXCERPT_MAX_CHARS) return folded;
  // Never cut a surrogate pair in half.
  return `${Array.from(folded.slice(0, QUOTE_EXCERPT_MAX_CHARS - 1)).join('').replace(/[\uD800-\uDBFF]$/, '')}…`;
}

/**
 * Whether a message sent at `sentAt` may still be deleted for everyone at `now` (the sender's UI
 * asks with its clock; a receiver with the time the server took the request, plus the skew).
 */
export function deleteForEveryoneOpen(sentAt: number, now: number, skewMs = 0): boolean {
  return now - sentAt <= DELETE_FOR_EVERYONE_LIMIT_MS + skewMs;
}
