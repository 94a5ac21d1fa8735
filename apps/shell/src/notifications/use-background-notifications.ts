import type { Messenger } from '@parley/messenger';
import { useEffect, useRef } from 'react';

/**
 * The signed-in shell's notifications and unread count from `source`, the session's messenger (none
 * for guests: they have no chats). Nothing here asks for permission: that is Settings' button alone.
 *
 * Their code is a chunk of its own, loaded once the session runs: it reads group rings with the call
 * signals' schemas (zod's classic API), which would otherwise sit on the returning visit's first
 * load before the conversation list (issue 20). The unread count and a ringing 1:1 call are states,
 * read as they are when the chunk starts; a group ring sent in that moment is one the call app,
 * which loads later still, rings for (the bus holds call signaling for it).
 */
export function useBackgroundNotifications(locale: string, source: Messenger | null): void {
  const currentLocale = useRef(locale);
  currentLocale.current = locale;
  useEffect(() => {
    if (!source) return;
    let stop: (() => void) | null = null;
    let stopped = false;
    import('./page-notifications.js')
      .then(({ startPageNotifications }) => {
        if (!stopped) stop = startPageNotifications(() => currentLocale.current, source);
      })
      .catch((error: unknown) => console.warn(`[shell] notifications could not start: ${String(error)}`));
    return () => {
      stopped = true;
      stop?.();
    };
  }, [source]);
}
