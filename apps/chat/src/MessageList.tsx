import type { CallEntry } from '@parley/contracts';
import type { AttachmentTransferApi, DeliveryState, HistoryMessage } from '@parley/messenger';
import { AlertCircle, Check, CheckCheck, Clock3, Phone, PhoneMissed, Video } from 'lucide-react';
import { type ComponentType, type KeyboardEvent, memo, type ReactNode, useEffect, useRef, useState } from 'react';
import { AttachmentView } from './attachments/AttachmentView.js';
import { keyOfMessage, MESSAGE_KEY_ATTRIBUTE, QuoteBlock, ReactionBar, Tombstone } from './BubbleParts.js';
import { isMissedCall } from './conversation-list-model.js';
import { type BubbleActions, MessageActionsButton } from './MessageActionsButton.js';
import { dayLabel, dayStarts } from './day-separators.js';
import { useScrollToFound } from './found-message.js';
import { type ChatMessages, formatDuration, formatTime } from './messages.js';

/** The delivery mark of an outgoing message: a clock, one tick, two ticks (blue once read), or a warning. */
const TICKS: Record<DeliveryState, ComponentType<{ size?: number; 'aria-hidden'?: boolean | 'true' }>> = {
  sending: Clock3,
  sent: Check,
  delivered: CheckCheck,
  read: CheckCheck,
  failed: AlertCircle,
};

const NO_CALLS: readonly CallEntry[] = [];

type TimelineItem = { readonly at: number; readonly message: HistoryMessage } | { readonly at: number; readonly call: CallEntry };

/**
 * One conversation's messages as bubbles, oldest first, with time and (outgoing) delivery ticks,
 * and its calls in between as call log lines (outcome, and duration for answered calls). Memoized:
 * a long history is not rendered again when only the conversation around it changes (a call
 * starting flips the header's call buttons while the call needs the CPU).
 */
export const MessageList = memo(function MessageList(props: {
  t: ChatMessages;
  locale: string;
  peerName: string;
  messages: readonly HistoryMessage[];
  calls?: readonly CallEntry[];
  /** Group chats: the sender's name shown on incoming messages. */
  senderName?: (message: HistoryMessage) => string;
  /** Downloads the messages' attachments (none shown as downloadable without it). */
  transfer?: AttachmentTransferApi;
  /** Reply, react, edit and delete (a menu per bubble; the focused message is the tab stop). */
  actions?: BubbleActions;
  /** Extra controls in a bubble's meta line (group chats: "Message info" on own messages). */
  metaControls?: (message: HistoryMessage) => ReactNode;
  /** The message a search result opened: highlighted, scrolled to and focused. */
  foundId?: string;
}) {
  const { t, locale, peerName, messages, actions } = props;
  // The one message in the tab order (arrows move between messages): the last one until another is focused.
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const tabStop = messages.some((m) => keyOfMessage(m) === activeKey) ? activeKey : messages.length > 0 ? keyOfMessage(messages.at(-1)!) : null;
  const calls = props.calls ?? NO_CALLS;
  const end = useRef<HTMLLIElement>(null);
  const count = messages.length + calls.length;
  const timeline: TimelineItem[] = [
    ...messages.map((message) => ({ at: message.sentAt, message })),
    ...calls.map((call) => ({ at: call.startedAt, call })),
  ].sort((a, b) => a.at - b.at);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [count]);
  const list = useRef<HTMLOListElement>(null);
  // The search result's bubble, by the key every bubble carries (the attribute quotes jump to).
  const foundMessage = props.foundId === undefined ? undefined : messages.find((message) => message.messageId === props.foundId);
  const foundKey = foundMessage && keyOfMessage(foundMessage);
  useScrollToFound(list, foundKey, count);

  if (count === 0) return <p className="conversation__empty conversation__empty--messages">{t.noMessages}</p>;
  const newDay = dayStarts(timeline.map((item) => item.at));
  const now = Date.now();
  // role="log": screen readers announce messages as they arrive, without moving focus.
  return (
    <div className="message-list" role="log" aria-label={t.messages(peerName)}>
      <ol ref={list} className="message-list__items" data-testid="message-list">
        {timeline.flatMap((item, index) => {
          const separator = newDay.has(index) ? (
            <li key={`day-${item.at}`} className="day-separator" data-testid="day-separator">
              <span>{dayLabel(item.at, { now, locale, today: t.today, yesterday: t.yesterday })}</span>
            </li>
          ) : null;
          return separator ? [separator, timelineItem(item)] : [timelineItem(item)];
        })}
        <li ref={end} aria-hidden="true" className="message-list__end" />
      </ol>
    </div>
  );

  function timelineItem(item: TimelineItem) {
          if ('call' in item) return <CallLine key={`call-${item.call.callId}`} t={t} locale={locale} call={item.call} />;
          const { message } = item;
          const key = keyOfMessage(message);
          const deleted = message.deletedAt !== undefined;
          const nameOf = actions?.nameOf ?? ((userId: string) => userId);
          const Tick = TICKS[message.delivery ?? 'sent'];
          const delivery = message.direction === 'out' ? (message.delivery ?? 'sent') : undefined;
          return (
            <li
              key={message.messageId}
              className={`bubble bubble--${message.direction}`}
              data-testid="message"
              data-direction={message.direction}
              data-delivery={delivery}
              {...{ [MESSAGE_KEY_ATTRIBUTE]: key }}
              {...(actions ? { tabIndex: key === tabStop ? 0 : -1, onFocus: () => setActiveKey(key), onKeyDown: onBubbleKey } : {})}
              {...(key === foundKey ? { 'data-found': '', ...(actions ? {} : { tabIndex: -1 }) } : {})}
            >
              {actions && <MessageActionsButton t={t} message={message} actions={actions} focusable={key === tabStop} />}
              {props.senderName && message.direction === 'in' && (
                <span className="bubble__sender" data-testid="message-sender">
                  {props.senderName(message)}
                </span>
              )}
              {message.quote && !deleted && <QuoteBlock t={t} quote={message.quote} nameOf={nameOf} />}
              {!deleted && message.attachments?.map((pointer) => <AttachmentView key={pointer.blobId} pointer={pointer} transfer={props.transfer} locale={locale} />)}
              {deleted ? <Tombstone t={t} /> : message.body !== '' && <p className="bubble__body">{message.body}</p>}
              <span className="bubble__meta">
                {message.editedAt !== undefined && !deleted && (
                  <span className="bubble__edited" data-testid="message-edited">
                    {t.edited}
                  </span>
                )}
                <time dateTime={new Date(message.sentAt).toISOString()}>{formatTime(message.sentAt, locale)}</time>
                {delivery && (
                  <span
                    className={`bubble__ticks bubble__ticks--${delivery}`}
                    role="img"
                    aria-label={t.delivery[delivery]}
                    title={t.delivery[delivery]}
                    data-testid="ticks"
                  >
                    <Tick aria-hidden="true" size={16} />
                  </span>
                )}
                {props.metaControls?.(message)}
              </span>
              {!deleted && (
                <ReactionBar
                  t={t}
                  message={message}
                  selfId={actions?.selfId ?? ''}
                  nameOf={nameOf}
                  onReact={actions?.canWrite ? (emoji) => actions.onReact(message, emoji) : null}
                />
              )}
            </li>
          );
  }
});

/**
 * Keys on a focused message (not on what is inside it): arrows move to the previous or next one,
 * Enter, Space, the context-menu key or Shift+F10 open its actions menu.
 */
function onBubbleKey(event: KeyboardEvent<HTMLLIElement>) {
  const bubble = event.currentTarget;
  if (event.target !== bubble) return;
  const bubbles = [...(bubble.parentElement?.querySelectorAll<HTMLElement>(`[${MESSAGE_KEY_ATTRIBUTE}]`) ?? [])];
  const at = bubbles.indexOf(bubble);
  const focus = (index: number) => {
    event.preventDefault();
    bubbles[Math.max(0, Math.min(bubbles.length - 1, index))]?.focus();
  };
  if (event.key === 'ArrowUp') focus(at - 1);
  else if (event.key === 'ArrowDown') focus(at + 1);
  else if (event.key === 'Home') focus(0);
  else if (event.key === 'End') focus(bubbles.length - 1);
  else if (event.key === 'Enter' || event.key === ' ' || event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
    event.preventDefault();
    bubble.querySelector<HTMLButtonElement>('[data-testid="message-actions"]')?.click();
  }
}

/** A call in the conversation: direction, kind and outcome, with the duration of an answered call. */
function CallLine({ t, locale, call }: { t: ChatMessages; locale: string; call: CallEntry }) {
  const missed = isMissedCall(call);
  const Icon = missed ? PhoneMissed : call.media === 'video' ? Video : Phone;
  return (
    <li
      className={`call-entry call-entry--${call.direction}${missed ? ' call-entry--missed' : ''}`}
      data-testid="call-entry"
      data-outcome={call.outcome}
      data-direction={call.direction}
      data-media={call.media}
    >
      <Icon className="call-entry__icon" aria-hidden="true" size={16} />{' '}
      <span className="call-entry__text">{t.callEntry(call)}</span>
      {call.durationMs !== null && (
        <>
          {' · '}
          <span className="call-entry__duration" data-testid="call-duration" aria-label={t.callDuration(formatDuration(call.durationMs))}>
            {formatDuration(call.durationMs)}
          </span>
        </>
      )}{' '}
      <time className="call-entry__time" dateTime={new Date(call.startedAt).toISOString()}>
        {formatTime(call.startedAt, locale)}
      </time>
    </li>
  );
}
