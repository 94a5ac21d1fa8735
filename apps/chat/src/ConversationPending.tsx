import type { ConversationSummary } from '@parley/messenger';
import { Avatar } from './Avatar.js';
import { HeaderFrame } from './HeaderFrame.js';
import type { ChatMessages } from './messages.js';

/**
 * An opened conversation whose code (the open-conversation chunk) has not arrived yet, or could not
 * be loaded: its header's name and the way back to the list, then "Loading…" or why it cannot show.
 */
export function ConversationPending({ conversation, t, onBack, status }: { conversation: ConversationSummary; t: ChatMessages; onBack: () => void; status: 'loading' | 'failed' }) {
  const group = conversation.kind === 'group' ? conversation.group : undefined;
  const name = group?.name ?? conversation.peer.displayName;
  return (
    <section className="conversation" aria-label={name} aria-busy={status === 'loading'} data-testid="conversation-pending">
      <HeaderFrame t={t} onBack={onBack} avatar={<Avatar id={group ? conversation.conversationId : conversation.peer.userId} name={name} group={group !== undefined} />} title={<span className="conversation__name">{name}</span>}>
        {null}
      </HeaderFrame>
      {status === 'loading' ? (
        <p className="chat-app__part-status" role="status">
          {t.partLoading}
        </p>
      ) : (
        <p className="chat-app__part-status" role="alert">
          {t.partNotLoaded}
        </p>
      )}
    </section>
  );
}
