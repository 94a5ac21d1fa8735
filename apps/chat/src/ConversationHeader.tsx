import type { CallMedia, Peer } from '@parley/contracts';
import type { ChatMessages } from './messages.js';

/** A conversation's header: who it is with, and the call buttons when calling is available. */
export function ConversationHeader(props: {
  peer: Peer;
  t: ChatMessages;
  callsAvailable: boolean;
  inCall: boolean;
  onCall: (media: CallMedia) => void;
}) {
  const { peer, t, callsAvailable, inCall, onCall } = props;
  return (
    <header className="conversation__header">
      <h2 className="conversation__peer">{peer.displayName}</h2>
      {inCall && <span className="conversation__badge" data-testid="chat-in-call">{t.inCall}</span>}
      {callsAvailable && (
        <div className="conversation__actions">
          <button type="button" onClick={() => onCall('audio')} disabled={inCall}>
            {t.voiceCall}
          </button>
          <button type="button" onClick={() => onCall('video')} disabled={inCall}>
            {t.videoCall}
          </button>
        </div>
      )}
    </header>
  );
}
