import type { CallEntry } from '@parley/contracts';
import type { ConversationSummary } from '@parley/messenger';
import { Check, CheckCheck, Phone, PhoneMissed, ShieldAlert, Users, Video } from 'lucide-react';
import { useId } from 'react';
import { attachmentMessagesFor } from './attachments/attachment-messages.js';
import { messagePreviewText } from './attachments/attachment-preview.js';
import { Avatar } from './Avatar.js';
import { isMissedCall, latestEvent } from './conversation-list-model.js';
import { type ChatMessages, formatTime } from './messages.js';

/**
 * The conversation list: avatar, name (with group and safety-number marks), time and preview of the
 * latest message or call, unread count. The order and which conversations appear are the caller's
 * (conversation-list-model.ts).
 */
export function ConversationList(props: {
  t: ChatMessages;
  locale: string;
  conversations: readonly ConversationSummary[];
  /** The latest call of each conversation, for its preview. */
  lastCalls: ReadonlyMap<string, CallEntry>;
  openId: string | null;
  onOpen: (conversationId: string) => void;
  /** Contacts whose identity key changed and is not accepted yet. */
  identityChanged: ReadonlySet<string>;
  /** What to say when the list is empty. */
  empty: string;
  /** Missed calls not seen yet, per conversation, and how to say their count. */
  missedCalls?: ReadonlyMap<string, number>;
  missedCallsLabel?: (count: number) => string;
}) {
  const { t, locale, conversations, lastCalls, openId, onOpen, identityChanged, empty, missedCalls, missedCallsLabel } = props;
  if (conversations.length === 0) {
    return (
      <p className="conversation-list__empty" data-testid="conversation-list-empty">
        {empty}
      </p>
    );
  }
  return (
    <ul className="conversation-list" data-testid="conversation-list">
      {conversations.map((conversation) => (
        <ConversationItem
          key={conversation.conversationId}
          t={t}
          locale={locale}
          conversation={conversation}
          lastCall={lastCalls.get(conversation.conversationId)}
          open={conversation.conversationId === openId}
          onOpen={onOpen}
          identityChanged={identityChanged.has(conversation.peer.userId)}
          missedCalls={missedCalls?.get(conversation.conversationId) ?? 0}
          missedCallsLabel={missedCallsLabel}
        />
      ))}
    </ul>
  );
}

function ConversationItem(props: {
  t: ChatMessages;
  locale: string;
  conversation: ConversationSummary;
  lastCall: CallEntry | undefined;
  open: boolean;
  onOpen: (conversationId: string) => void;
  identityChanged: boolean;
  missedCalls: number;
  missedCallsLabel: ((count: number) => string) | undefined;
}) {
  const { t, locale, conversation, lastCall, open, onOpen, identityChanged, missedCalls, missedCallsLabel } = props;
  const detailsId = useId();
  const group = conversation.kind === 'group';
  const latest = latestEvent(conversation, lastCall);
  const name = conversation.peer.displayName;
  return (
    <li>
      <button
        type="button"
        className="conversation-list__item"
        aria-current={open ? 'true' : undefined}
        // The name alone (a group says so), the rest as its description: a screen reader hears
        // "Climbers (group)", then the preview, never the words run together.
        aria-label={group ? t.groupNamed(name) : name}
        aria-describedby={detailsId}
        onClick={() => onOpen(conversation.conversationId)}
        data-testid="conversation-item"
        data-handle={conversation.peer.handle}
        data-kind={conversation.kind ?? 'direct'}
      >
        <Avatar id={conversation.peer.userId} name={name} group={group} />
        <span className="conversation-list__text">
          <span className="conversation-list__top">
            <span className="conversation-list__name">
              {group && <Users className="conversation-list__mark" aria-hidden="true" size={16} />}
              <span className="conversation-list__name-text">{name}</span>
              {identityChanged && (
                <ShieldAlert
                  className="conversation-list__mark conversation-list__mark--warning"
                  role="img"
                  aria-label={t.safetyNumberChanged}
                  size={16}
                  data-testid="conversation-identity-changed"
                />
              )}
            </span>
            {latest && (
              <time className="conversation-list__time" dateTime={new Date(latest.at).toISOString()} data-unread={conversation.unread > 0 || undefined}>
                {formatTime(latest.at, locale)}
              </time>
            )}
          </span>
          <span className="conversation-list__bottom" id={detailsId}>
            <span className="conversation-list__preview" data-testid="conversation-preview" data-kind={latest?.kind} data-missed={(latest?.kind === 'call' && isMissedCall(latest.call)) || undefined}>
              {latest?.kind === 'call' && <CallPreviewIcon call={latest.call} />}
              {latest?.kind === 'message' && latest.message.direction === 'out' && <DeliveryIcon delivery={latest.message.delivery} />}
              {latest?.kind === 'call'
                ? t.callEntry(latest.call)
                : latest
                  ? `${latest.message.direction === 'out' ? `${t.you}: ` : ''}${latest.message.deletedAt === undefined ? messagePreviewText(latest.message, attachmentMessagesFor(locale)) : t.deletedMessage}`
                  : ''}
            </span>
            {missedCalls > 0 && missedCallsLabel && (
              <span className="conversation-list__missed-calls" aria-label={missedCallsLabel(missedCalls)} data-testid="conversation-missed-calls">
                <PhoneMissed aria-hidden="true" size={14} />
                {missedCalls}
              </span>
            )}
            {conversation.unread > 0 && (
              <span className="conversation-list__unread" aria-label={t.unread(conversation.unread)} data-testid="conversation-unread">
                {conversation.unread}
              </span>
            )}
          </span>
        </span>
      </button>
    </li>
  );
}

function CallPreviewIcon({ call }: { call: CallEntry }) {
  if (isMissedCall(call)) return <PhoneMissed className="conversation-list__preview-icon" aria-hidden="true" size={16} />;
  return call.media === 'video' ? <Video className="conversation-list__preview-icon" aria-hidden="true" size={16} /> : <Phone className="conversation-list__preview-icon" aria-hidden="true" size={16} />;
}

function DeliveryIcon({ delivery }: { delivery: string | undefined }) {
  if (delivery === 'delivered' || delivery === 'read') {
    return <CheckCheck className={`conversation-list__preview-icon ticks--${delivery}`} aria-hidden="true" size={16} />;
  }
  if (delivery === 'sent') return <Check className="conversation-list__preview-icon" aria-hidden="true" size={16} />;
  return null;
}
