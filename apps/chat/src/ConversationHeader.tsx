import type { CallMedia, Peer } from '@parley/contracts';
import type { ChatMessages } from './messages.js';

/** A conversation's header: who it is with, the safety number, and the call buttons when calling is available. */
export function ConversationHeader(props: {
  peer: Peer & { handle?: string };
  t: ChatMessages;
  callsAvailable: boolean;
  inCall: boolean;
  onCall: (media: CallMedia) => void;
  onSafetyNumber?: () => void;
  /** Opens the form to schedule a call in this conversation (absent when the messenger cannot). */
  onSchedule?: () => void;
}) {
  const { peer, t, callsAvailable, inCall, onCall, onSafetyNumber, onSchedule } = props;
  return (
    <header className="conversation__header">
      <h2 className="conversation__peer">
        {peer.displayName}
        {peer.handle && <small className="conversation__handle"> @{peer.handle}</small>}
      </h2>
      {inCall && <span className="conversation__badge" data-testid="chat-in-call">{t.inCall}</span>}
      <div className="conversation__actions">
        {callsAvailable && (
          <>
            <button type="button" onClick={() => onCall('audio')} disabled={inCall}>
              {t.voiceCall}
            </button>
            <button type="button" onClick={() => onCall('video')} disabled={inCall}>
              {t.videoCall}
            </button>
          </>
        )}
        {onSchedule && (
          <button type="button" onClick={onSchedule} data-testid="schedule-call">
            {t.scheduleCall}
          </button>
        )}
        {onSafetyNumber && (
          <button type="button" onClick={onSafetyNumber}>
            {t.safetyNumber}
          </button>
        )}
      </div>
    </header>
  );
}
