import type { EventBus } from '@parley/event-bus';
import { useEffect } from 'react';

/**
 * Opens the conversations asked for outside the chat (`chat.conversation-requested`: the user
 * clicked a message notification, which the shell handles).
 */
export function useConversationRequests(bus: EventBus, open: (conversationId: string) => void): void {
  useEffect(() => {
    const subscription = bus.on('chat.conversation-requested').subscribe(({ conversationId }) => open(conversationId));
    return () => subscription.unsubscribe();
  }, [bus, open]);
}
