import type { CallMedia, Peer } from '@parley/contracts';
import { ArrowLeft, CalendarClock, Phone, ShieldCheck, Video } from 'lucide-react';
import type { ReactNode } from 'react';
import { Avatar } from './Avatar.js';
import { callLinksEntries } from './call-links.js';
import type { ChatMessages } from './messages.js';
import { type MenuEntry, OptionsMenu } from './OptionsMenu.js';

/** The back button of the one-pane layout (narrow windows, or the chat beside a call): to the list. */
export function BackToList({ t, onBack }: { t: ChatMessages; onBack: () => void }) {
  return (
    <button type="button" className="icon-button conversation__back" aria-label={t.backToList} title={t.backToList} onClick={onBack} data-testid="back-to-list">
      <ArrowLeft aria-hidden="true" size={22} />
    </button>
  );
}

/** The frame of a conversation's header: back, avatar, name and status line, then the actions. */
export function HeaderFrame(props: { t: ChatMessages; onBack: () => void; avatar: ReactNode; title: ReactNode; badge?: ReactNode; children: ReactNode }) {
  return (
    <header className="conversation__header">
      <BackToList t={props.t} onBack={props.onBack} />
      {props.avatar}
      <h2 className="conversation__peer">{props.title}</h2>
      {props.badge}
      <div className="conversation__actions">{props.children}</div>
    </header>
  );
}

/**
 * A 1:1 conversation's header: who it is with (avatar, name, handle), Voice call and Video call
 * when calling is available, and the chat's options (schedule a call, safety number, call links).
 */
export function ConversationHeader(props: {
  peer: Peer & { handle?: string };
  t: ChatMessages;
  callsAvailable: boolean;
  inCall: boolean;
  onCall: (media: CallMedia) => void;
  onBack: () => void;
  onSafetyNumber?: () => void;
  /** Opens the form to schedule a call in this conversation (absent when the messenger cannot). */
  onSchedule?: () => void;
  /** Opens the call app's call links (null while it cannot show them). */
  onCallLinks: (() => void) | null;
}) {
  const { peer, t, callsAvailable, inCall, onCall, onBack, onSafetyNumber, onSchedule, onCallLinks } = props;
  const entries: MenuEntry[] = [
    ...(onSchedule ? [{ label: t.scheduleCall, icon: <CalendarClock aria-hidden="true" size={18} />, onSelect: onSchedule, testId: 'schedule-call' }] : []),
    ...(onSafetyNumber ? [{ label: t.safetyNumber, icon: <ShieldCheck aria-hidden="true" size={18} />, onSelect: onSafetyNumber }] : []),
    ...callLinksEntries(t, onCallLinks),
  ];
  return (
    <HeaderFrame
      t={t}
      onBack={onBack}
      avatar={<Avatar id={peer.userId} name={peer.displayName} />}
      title={
        <>
          <span className="conversation__name">{peer.displayName}</span>
          {peer.handle && <small className="conversation__handle"> @{peer.handle}</small>}
        </>
      }
      badge={
        inCall && (
          <span className="conversation__badge" data-testid="chat-in-call">
            {t.inCall}
          </span>
        )
      }
    >
      {callsAvailable && (
        <>
          <button type="button" className="icon-button" aria-label={t.videoCall} title={t.videoCall} onClick={() => onCall('video')} disabled={inCall}>
            <Video aria-hidden="true" size={22} />
          </button>
          <button type="button" className="icon-button" aria-label={t.voiceCall} title={t.voiceCall} onClick={() => onCall('audio')} disabled={inCall}>
            <Phone aria-hidden="true" size={20} />
          </button>
        </>
      )}
      {entries.length > 0 && <OptionsMenu label={t.chatOptions} entries={entries} />}
    </HeaderFrame>
  );
}
