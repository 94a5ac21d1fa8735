import { useBehavior } from '@parley/bus-react';
import type { CallMedia, Peer, RemoteProps } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import { ConversationHeader } from './ConversationHeader.js';
import { messagesFor } from './messages.js';

// A placeholder conversation until accounts and contacts arrive with the chat issue.
const PLACEHOLDER_CONVERSATION = {
  id: 'placeholder',
  peer: { userId: 'placeholder-peer', displayName: 'Ada Lovelace' } satisfies Peer,
};

/** The chat app: conversation list and the open conversation. */
export function ChatApp({ bus, remote }: { bus: EventBus; remote: RemoteProps }) {
  const t = messagesFor(remote.locale);
  const callsAvailable = useBehavior(bus.state('call.available'));
  const callState = useBehavior(bus.state('call.state'));
  const conversation = PLACEHOLDER_CONVERSATION;
  const inCall = callState.conversationId === conversation.id && callState.phase !== 'idle' && callState.phase !== 'ended';

  const requestCall = (media: CallMedia) =>
    bus.publish('call.requested', { conversationId: conversation.id, peer: conversation.peer, media });

  return (
    <div className="chat-app" data-testid="chat-app">
      <nav className="chat-app__list" aria-label={t.conversations}>
        <ul>
          <li aria-current="true">{conversation.peer.displayName}</li>
        </ul>
      </nav>
      <section className="conversation" aria-label={conversation.peer.displayName}>
        <ConversationHeader
          peer={conversation.peer}
          t={t}
          callsAvailable={callsAvailable}
          inCall={inCall}
          onCall={requestCall}
        />
        <p className="conversation__empty">{t.noMessages}</p>
      </section>
    </div>
  );
}
