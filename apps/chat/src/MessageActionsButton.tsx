import type { HistoryMessage } from '@parley/messenger';
import { ChevronDown, Pencil, Reply, SmilePlus, Trash2 } from 'lucide-react';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { ChatMessages } from './messages.js';
import { type MenuEntry, OptionsMenu } from './OptionsMenu.js';

/** WhatsApp's quick reactions: the picker offers these. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

/** What a bubble's actions do; the conversation (MessageThread) supplies them. */
export interface BubbleActions {
  /** This user's id: their own messages may be edited, their reaction is marked. */
  readonly selfId: string;
  /** A person's name as the conversation shows it ("You" for this user). */
  readonly nameOf: (userId: string) => string;
  /** False where this user may no longer write (a group they left): only deleting for themselves stays. */
  readonly canWrite: boolean;
  readonly onReply: (message: HistoryMessage) => void;
  /** Sets this user's reaction (an empty emoji takes it back). */
  readonly onReact: (message: HistoryMessage, emoji: string) => void;
  readonly onEdit: (message: HistoryMessage) => void;
  readonly onDelete: (message: HistoryMessage) => void;
}

/**
 * A message's actions menu (Reply, React, Edit for this user's own texts, Delete), shown on hover
 * and on the focused message; React opens a small picker of quick reactions.
 */
export function MessageActionsButton(props: { t: ChatMessages; message: HistoryMessage; actions: BubbleActions; focusable: boolean }) {
  const { t, message, actions, focusable } = props;
  const [picking, setPicking] = useState(false);
  const deleted = message.deletedAt !== undefined;
  const live = !deleted && actions.canWrite;
  const entries: MenuEntry[] = [
    ...(live ? [{ label: t.reply, icon: <Reply aria-hidden="true" size={18} />, onSelect: () => actions.onReply(message), testId: 'message-reply' }] : []),
    ...(live ? [{ label: t.react, icon: <SmilePlus aria-hidden="true" size={18} />, onSelect: () => setPicking(true), testId: 'message-react' }] : []),
    ...(live && message.from.userId === actions.selfId ? [{ label: t.edit, icon: <Pencil aria-hidden="true" size={18} />, onSelect: () => actions.onEdit(message), testId: 'message-edit' }] : []),
    { label: t.delete, icon: <Trash2 aria-hidden="true" size={18} />, onSelect: () => actions.onDelete(message), testId: 'message-delete' },
  ];
  return (
    <div className="bubble__actions">
      <OptionsMenu
        label={t.messageActions}
        entries={entries}
        testId="message-actions"
        className="bubble__menu"
        icon={<ChevronDown aria-hidden="true" size={18} />}
        tabIndex={focusable ? 0 : -1}
      />
      {picking && (
        <ReactionPicker
          t={t}
          current={message.reactions?.[actions.selfId]?.emoji}
          onPick={(emoji) => {
            setPicking(false);
            actions.onReact(message, emoji);
          }}
          onClose={() => setPicking(false)}
        />
      )}
    </div>
  );
}

/**
 * The quick reactions as a menu of radio items (arrows move, Enter picks, Escape closes); picking
 * the current one takes it back.
 */
function ReactionPicker(props: { t: ChatMessages; current: string | undefined; onPick: (emoji: string) => void; onClose: () => void }) {
  const { t, current, onPick, onClose } = props;
  const menu = useRef<HTMLDivElement>(null);
  const items = () => [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitemradio"]') ?? [])];
  const returnTo = useRef<Element | null>(null);

  useEffect(() => {
    returnTo.current = document.activeElement;
    const list = items();
    (list.find((item) => item.getAttribute('aria-checked') === 'true') ?? list[0])?.focus();
    const closeOutside = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', closeOutside);
    return () => document.removeEventListener('pointerdown', closeOutside);
    // Once, on opening.
  }, []);

  const close = () => {
    (returnTo.current as HTMLElement | null)?.focus?.();
    onClose();
  };

  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const move = (index: number) => {
      event.preventDefault();
      list[(index + list.length) % list.length]?.focus();
    };
    if (event.key === 'ArrowRight' || event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(list.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  };

  return (
    <div ref={menu} role="menu" aria-label={t.react} aria-orientation="horizontal" className="reaction-picker" onKeyDown={onKey} data-testid="reaction-picker">
      {QUICK_REACTIONS.map((emoji) => (
        <button
          key={emoji}
          type="button"
          role="menuitemradio"
          aria-checked={current === emoji}
          aria-label={t.reactWith(emoji)}
          title={t.reactWith(emoji)}
          tabIndex={-1}
          onClick={() => {
            (returnTo.current as HTMLElement | null)?.focus?.();
            onPick(current === emoji ? '' : emoji);
          }}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
}
