import type { ConversationSummary } from '@parley/messenger';
import { type ChatMessages, formatTime } from './messages.js';

/** The conversation list: name, last-message preview, time and unread count, most recent first. */
export function ConversationList(props: {
  t: ChatMessages;
  locale: string;
  conversations: readonly ConversationSummary[];
  openId: string | null;
  onOpen: (conversationId: string) => void;
  /** Contacts whose identity key changed and is not accepted yet. */
  identityChanged: ReadonlySet<string>;
}) {
  const { t, locale, conversations, openId, onOpen, identityChanged } = props;
  if (conversations.length === 0) return <p className="conversation-list__empty">{t.noConversations}</p>;
  return (
    <ul className="conversation-list" data-testid="conversation-list">
      {conversations.map((conversation) => {
        const last = conversation.lastMessage;
        const preview = last ? `${last.direction === 'out' ? `${t.you}: ` : ''}${last.body}` : '';
        const open = conversation.conversationId === openId;
        return (
          <li key={conversation.conversationId}>
            <button
              type="button"
              className="conversation-list__item"
              aria-current={open ? 'true' : undefined}
              onClick={() => onOpen(conversation.conversationId)}
              data-testid="conversation-item"
              data-handle={conversation.peer.handle}
              data-kind={conversation.kind ?? 'direct'}
            >
              <span className="conversation-list__name">
                {identityChanged.has(conversation.peer.userId) && (
                  <span role="img" aria-label={t.safetyNumberChanged} title={t.safetyNumberChanged} data-testid="conversation-identity-changed">
                    ⚠{' '}
                  </span>
                )}
                {conversation.kind === 'group' && (
                  <span role="img" aria-label={t.groupLabel} title={t.groupLabel}>
                    👥{' '}
                  </span>
                )}
                {conversation.peer.displayName}
              </span>
              {last && (
                <time className="conversation-list__time" dateTime={new Date(last.sentAt).toISOString()}>
                  {formatTime(last.sentAt, locale)}
                </time>
              )}
              <span className="conversation-list__preview" data-testid="conversation-preview">
                {preview}
              </span>
              {conversation.unread > 0 && (
                <span className="conversation-list__unread" aria-label={t.unread(conversation.unread)} data-testid="conversation-unread">
                  {conversation.unread}
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
