import type { CallEntry, CallMedia } from '@parley/contracts';
import { Link, MessageCircle, Phone, PhoneIncoming, PhoneMissed, PhoneOff, PhoneOutgoing, Video } from 'lucide-react';
import { useObservable } from '@parley/bus-react';
import type { EventBus } from '@parley/event-bus';
import { type ComponentType, useEffect, useMemo } from 'react';
import { Avatar } from './Avatar.js';
import './call-history.css';
import type { CallHistoryMessages } from './call-history-messages.js';
import type { CallLog } from './call-log.js';
import { isMissedCall } from './conversation-list-model.js';
import { type ChatMessages, formatDuration, formatTime } from './messages.js';

const NO_CALLS: readonly CallEntry[] = [];

type IconProps = { className?: string; size?: number; 'aria-hidden'?: boolean | 'true' };

/** The icon that says how a call went: missed, declined, or its direction. */
function outcomeIcon(call: CallEntry): ComponentType<IconProps> {
  if (isMissedCall(call)) return PhoneMissed;
  if (call.outcome === 'declined' || call.outcome === 'failed' || call.outcome === 'busy' || call.outcome === 'cancelled') return PhoneOff;
  return call.direction === 'outgoing' ? PhoneOutgoing : PhoneIncoming;
}

/** What a Calls view entry can do; each absent when it cannot (calls unavailable, a link without its secret). */
export interface CallsViewActions {
  /** Calls the person back with the same medium, as the conversation header's call buttons do. */
  readonly callBack: ((call: CallEntry, media: CallMedia) => void) | null;
  /** Opens the call's conversation (a person's or a group's chat). */
  readonly openConversation: (conversationId: string) => void;
  /** Joins a link call again. */
  readonly joinLink: ((secret: string) => void) | null;
}

/**
 * The Calls view (WhatsApp's and Signal's Calls tab): every call on any of this user's devices,
 * newest first, with how it went, when, how long, voice or video, and a way back: call back, open
 * the group's chat, join the link again.
 */
export function CallsView(props: { t: ChatMessages; h: CallHistoryMessages; locale: string; calls: readonly CallEntry[]; actions: CallsViewActions }) {
  const { t, h, calls } = props;
  if (calls.length === 0) {
    return (
      <p className="conversation-list__empty" data-testid="call-history-empty">
        {h.noCalls}
      </p>
    );
  }
  return (
    <ul className="call-history" aria-label={h.calls} data-testid="call-history">
      {calls.map((call) => (
        <CallHistoryItem key={call.callId} {...props} call={call} t={t} h={h} />
      ))}
    </ul>
  );
}

function CallHistoryItem({ t, h, locale, call, actions }: { t: ChatMessages; h: CallHistoryMessages; locale: string; call: CallEntry; actions: CallsViewActions }) {
  const kind = call.kind ?? 'direct';
  const missed = isMissedCall(call);
  const name = call.peer.displayName || (kind === 'link' ? h.unnamedLink : call.peer.userId);
  const Outcome = outcomeIcon(call);
  const MediaIcon = call.media === 'video' ? Video : Phone;
  return (
    <li
      className={`call-history__item${missed ? ' call-history__item--missed' : ''}`}
      data-testid="call-history-entry"
      data-outcome={call.outcome}
      data-direction={call.direction}
      data-media={call.media}
      data-kind={kind}
      data-missed={missed || undefined}
    >
      <Avatar id={call.peer.userId} name={name} group={kind !== 'direct'} size="sm" />
      <span className="call-history__text">
        <span className="call-history__name" data-testid="call-history-name">
          {kind === 'link' && <Link className="conversation-list__mark" aria-hidden="true" size={14} />}
          {name}
          {kind !== 'direct' && <span className="visually-hidden"> ({kind === 'link' ? h.linkCall : h.groupCall})</span>}
        </span>
        <span className="call-history__details">
          <Outcome className="call-history__icon" aria-hidden="true" size={14} />
          <MediaIcon className="call-history__icon" aria-hidden="true" size={14} />
          <span data-testid="call-history-outcome">{t.callEntry(call)}</span>
          {call.durationMs !== null && (
            <>
              {' · '}
              <span data-testid="call-duration" aria-label={t.callDuration(formatDuration(call.durationMs))}>
                {formatDuration(call.durationMs)}
              </span>
            </>
          )}
          {' · '}
          <time dateTime={new Date(call.startedAt).toISOString()}>{formatTime(call.startedAt, locale)}</time>
        </span>
      </span>
      <span className="call-history__actions">
        {kind === 'direct' && actions.callBack && (
          <button type="button" className="call-history__call-back button--small" aria-label={h.callBack(call.media)} title={h.callBack(call.media)} onClick={() => actions.callBack!(call, call.media)}>
            <MediaIcon aria-hidden="true" size={14} />
            {h.callBackShort}
          </button>
        )}
        {kind === 'link' && call.linkSecret && actions.joinLink && (
          <button type="button" className="button--small" aria-label={h.joinLinkNamed(name)} onClick={() => actions.joinLink!(call.linkSecret!)}>
            {h.joinLink}
          </button>
        )}
        {kind !== 'link' && (
          <button type="button" className="icon-button" aria-label={h.openChat(name)} title={h.openChat(name)} onClick={() => actions.openConversation(call.conversationId)}>
            <MessageCircle aria-hidden="true" size={18} />
          </button>
        )}
      </span>
    </li>
  );
}

/**
 * The Calls view wired to the page: the call log's calls, call-back through the bus (as the
 * conversation header's buttons), link joins, and the missed calls marked seen while it shows.
 */
export function CallsPane(props: {
  bus: EventBus;
  callLog: CallLog;
  t: ChatMessages;
  h: CallHistoryMessages;
  locale: string;
  callsAvailable: boolean;
  onOpenConversation: (conversationId: string) => void;
}) {
  const { bus, callLog, callsAvailable } = props;
  const calls$ = useMemo(() => callLog.all$(), [callLog]);
  const calls = useObservable(calls$, NO_CALLS);
  useEffect(() => {
    // Seen up to now, or the newest call if a device's clock runs ahead of this one's.
    callLog.markSeen(Math.max(Date.now(), calls[0]?.startedAt ?? 0));
  }, [callLog, calls]);
  const actions: CallsViewActions = {
    callBack: callsAvailable ? (call, media) => bus.publish('call.requested', { conversationId: call.conversationId, peer: { userId: call.peer.userId, displayName: call.peer.displayName }, media }) : null,
    joinLink: callsAvailable ? (secret) => bus.publish('call.link-opened', { secret }) : null,
    openConversation: props.onOpenConversation,
  };
  return <CallsView t={props.t} h={props.h} locale={props.locale} calls={calls} actions={actions} />;
}
