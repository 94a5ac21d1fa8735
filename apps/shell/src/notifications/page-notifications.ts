import { bus } from '@parley/event-bus';
import type { Messenger } from '@parley/messenger';
import { map } from 'rxjs';
import { startBackgroundNotifier } from './background-notifier.js';
import { groupRingsFor } from './group-rings.js';
import { notificationMessagesFor } from './notification-messages.js';
import { readShowMessageText } from './notification-preferences.js';
import { listenToNotificationClicks, notificationAvailability, notificationWorker, serviceWorkerSurface } from './notification-surface.js';
import { UnreadBadge } from './unread-badge.js';

/** Someone looks at the tab: it is visible and its window has the focus. */
const pageAttended = () => document.visibilityState === 'visible' && document.hasFocus();

/**
 * Starts this page's notifications and unread count from `source`, the session's messenger, in the
 * language `locale()` names when each is shown. Returns the stop (sign-out, another tab took over).
 */
export function startPageNotifications(locale: () => string, source: Messenger): () => void {
  // Permission given on an earlier visit: the worker is needed again (registering asks nothing).
  if (notificationAvailability() === 'granted') void notificationWorker();
  const badge = new UnreadBadge(document);
  const stop = startBackgroundNotifier({
    callState$: bus.state('call.state'),
    groupRings$: groupRingsFor(bus, source.self.userId),
    presentation$: bus.state('call.presentation').pipe(map((presentation) => presentation.mode)),
    conversations$: source.conversations$,
    alerts: {
      surface: serviceWorkerSurface,
      attended: pageAttended,
      showMessageText: () => readShowMessageText(localStorage),
      texts: () => notificationMessagesFor(locale()),
    },
    badge,
    clicks: listenToNotificationClicks,
    focusPage: () => window.focus(),
    openConversation: (conversationId) => bus.publish('chat.conversation-requested', { conversationId }),
  });
  return () => {
    stop();
    badge.dispose();
  };
}
