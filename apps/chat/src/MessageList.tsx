import type { DeliveryState, HistoryMessage } from '@parley/messenger';
import { useEffect, useRef } from 'react';
import { type ChatMessages, formatTime } from './messages.js';

const TICKS: Record<DeliveryState, string> = { sending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

/** One conversation's messages as bubbles, oldest first, with time and (outgoing) delivery ticks. */
export function MessageList(props: { t: ChatMessages; locale: string; peerName: string; messages: readonly HistoryMessage[] }) {
  const { t, locale, peerName, messages } = props;
  const end = useRef<HTMLLIElement>(null);
  const count = messages.length;
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [count]);

  if (count === 0) return <p className="conversation__empty">{t.noMessages}</p>;
  // role="log": screen readers announce messages as they arrive, without moving focus.
  return (
    <div className="message-list" role="log" aria-label={t.messages(peerName)}>
      <ol className="message-list__items" data-testid="message-list">
        {messages.map((message) => {
          const delivery = message.direction === 'out' ? (message.delivery ?? 'sent') : undefined;
          return (
            <li
              key={message.messageId}
              className={`bubble bubble--${message.direction}`}
              data-testid="message"
              data-direction={message.direction}
              data-delivery={delivery}
            >
              <p className="bubble__body">{message.body}</p>
              <span className="bubble__meta">
                <time dateTime={new Date(message.sentAt).toISOString()}>{formatTime(message.sentAt, locale)}</time>
                {delivery && (
                  <span
                    className={`bubble__ticks bubble__ticks--${delivery}`}
                    role="img"
                    aria-label={t.delivery[delivery]}
                    title={t.delivery[delivery]}
                    data-testid="ticks"
                  >
                    {TICKS[delivery]}
                  </span>
                )}
              </span>
            </li>
          );
        })}
        <li ref={end} aria-hidden="true" className="message-list__end" />
      </ol>
    </div>
  );
}
