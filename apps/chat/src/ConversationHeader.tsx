import type { CallMedia, Peer } from '@parley/contracts';
import { CalendarClock, Phone, ShieldCheck, Video } from 'lucide-react';
import { Avatar } from './Avatar.js';
import { callLinksEntries } from './call-links.js';
import { HeaderFrame } from './HeaderFrame.js';
import type { ChatMessages } from './messages.js';
import { type MenuEntry, OptionsMenu } from './OptionsMenu.js';

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
