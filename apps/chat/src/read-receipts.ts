import type { HistoryMessage, Messenger } from '@parley/messenger';
import { useEffect, useRef } from 'react';

/**
 * Marks the incoming messages of an open conversation read while the page is `visible`: sends the
 * receipts once per message (again for those whose sending failed, on the next change).
 */
export function useReadReceipts(messenger: Pick<Messenger, 'markRead'>, conversationId: string, history: readonly HistoryMessage[], visible: boolean): void {
  const receipted = useRef(new Set<string>());
  useEffect(() => {
    const unread = history.filter((m) => m.direction === 'in' && !m.read && !receipted.current.has(m.messageId)).map((m) => m.messageId);
    if (unread.length === 0 || !visible) return;
    for (const id of unread) receipted.current.add(id);
    messenger.markRead(conversationId, unread).catch(() => {
      for (const id of unread) receipted.current.delete(id);
    });
  }, [history, messenger, conversationId, visible]);
}
