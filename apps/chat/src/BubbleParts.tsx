import type { Quote } from '@parley/contracts';
import type { HistoryMessage } from '@parley/messenger';
import { Ban } from 'lucide-react';
import type { ChatMessages } from './messages.js';

/** How long a message jumped to stays highlighted, ms (the CSS animation's length). */
const HIGHLIGHT_MS = 2000;

/** The attribute that names a bubble by its author and message id: what a quote jumps to. */
export const MESSAGE_KEY_ATTRIBUTE = 'data-message-key';

/** A message's key as every device has it: its author and their message id. */
export function messageKey(ref: { readonly authorUserId: string; readonly messageId: string }): string {
  return `${ref.authorUserId}:${ref.messageId}`;
}

/** The key of a kept message. */
export function keyOfMessage(message: HistoryMessage): string {
  return messageKey({ authorUserId: message.from.userId, messageId: message.messageId });
}

/** The bubble of `key` shown inside `list`, if it is. */
export function bubbleOf(list: Element | null | undefined, key: string): HTMLElement | undefined {
  return [...(list?.querySelectorAll<HTMLElement>(`[${MESSAGE_KEY_ATTRIBUTE}]`) ?? [])].find((element) => element.getAttribute(MESSAGE_KEY_ATTRIBUTE) === key);
}

/** Scrolls to the bubble of `key` in the list around `from`, focuses it and highlights it for a moment; false when it is not shown. */
export function jumpToMessage(from: Element, key: string): boolean {
  const target = bubbleOf(from.closest('[role="log"]'), key);
  if (target === undefined) return false;
  target.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
  target.focus({ preventScroll: true });
  target.setAttribute('data-highlighted', '');
  setTimeout(() => target.removeAttribute('data-highlighted'), HIGHLIGHT_MS);
  return true;
}

/** A reply's quote above its text: who and what was quoted; activating it jumps to the original. */
export function QuoteBlock({ t, quote, nameOf }: { t: ChatMessages; quote: Quote; nameOf: (userId: string) => string }) {
  const name = nameOf(quote.authorUserId);
  return (
    <button
      type="button"
      className="bubble__quote"
      aria-label={t.quotedMessage(name, quote.excerpt)}
      onClick={(event) => {
        if (!jumpToMessage(event.currentTarget, messageKey(quote))) event.currentTarget.title = t.originalGone;
      }}
      data-testid="message-quote"
    >
      <span className="bubble__quote-author">{name}</span>
      <span className="bubble__quote-text">{quote.excerpt}</span>
    </button>
  );
}

/** What a deleted-for-everyone message shows instead of its text. */
export function Tombstone({ t }: { t: ChatMessages }) {
  return (
    <p className="bubble__body bubble__body--deleted" data-testid="message-deleted">
      <Ban aria-hidden="true" size={14} /> {t.deletedMessage}
    </p>
  );
}

/** One emoji's reactions: the emoji, who reacted (in the order they did), and whether this user is among them. */
export interface ReactionGroup {
  readonly emoji: string;
  readonly userIds: readonly string[];
  readonly mine: boolean;
}

/** A message's reactions grouped by emoji, the most given first (ties: the earliest first). */
export function reactionGroups(message: HistoryMessage, selfId: string): ReactionGroup[] {
  const byEmoji = new Map<string, { userIds: string[]; first: number }>();
  const reactions = Object.entries(message.reactions ?? {}).sort(([, a], [, b]) => a.at - b.at);
  for (const [userId, reaction] of reactions) {
    const group = byEmoji.get(reaction.emoji) ?? { userIds: [], first: reaction.at };
    group.userIds.push(userId);
    byEmoji.set(reaction.emoji, group);
  }
  return [...byEmoji.entries()]
    .sort(([, a], [, b]) => b.userIds.length - a.userIds.length || a.first - b.first)
    .map(([emoji, group]) => ({ emoji, userIds: group.userIds, mine: group.userIds.includes(selfId) }));
}

/**
 * The reactions under a bubble, one chip per emoji with its count; its accessible name and tooltip
 * say who reacted. Pressing a chip sets this user's reaction to it, or takes theirs back.
 */
export function ReactionBar(props: {
  t: ChatMessages;
  message: HistoryMessage;
  selfId: string;
  nameOf: (userId: string) => string;
  onReact: ((emoji: string) => void) | null;
}) {
  const { t, message, selfId, nameOf, onReact } = props;
  const groups = reactionGroups(message, selfId);
  if (groups.length === 0) return null;
  return (
    <ul className="bubble__reactions" aria-label={t.reactions} data-testid="reactions">
      {groups.map((group) => {
        const names = group.userIds.map(nameOf);
        return (
          <li key={group.emoji}>
            <button
              type="button"
              className="reaction-chip"
              aria-label={t.reactedBy(group.emoji, names)}
              aria-pressed={group.mine}
              title={names.join(', ')}
              disabled={onReact === null}
              onClick={() => onReact?.(group.mine ? '' : group.emoji)}
              data-testid="reaction"
            >
              <span aria-hidden="true">{group.emoji}</span>
              <span aria-hidden="true" className="reaction-chip__count">
                {group.userIds.length}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
