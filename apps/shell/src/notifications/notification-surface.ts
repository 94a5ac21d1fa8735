/**
 * The browser's side of notifications: the service worker (public/notifications-sw.js) that shows
 * them and hears their clicks, and the permission. Secure contexts only (HTTPS, localhost); where
 * there is none, everything else works without notifications.
 */
import type { AlertNotification, NotificationSurface, NotificationTarget } from './background-alerts.js';

/** The worker's address: at the origin's root, so its scope is the whole app. */
export const NOTIFICATION_WORKER_URL = '/notifications-sw.js';

/** What the worker posts to the tab when a notification is clicked. */
const CLICK_MESSAGE = 'parley-notification-click';

/** Where this browser stands: notifications on, not asked yet, refused, or impossible here. */
export type NotificationAvailability = 'granted' | 'default' | 'denied' | 'unsupported';

/** Whether this page can have notifications at all (a secure context with service workers and the Notification API). */
export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext && 'serviceWorker' in navigator && typeof Notification !== 'undefined';
}

/** The permission as it stands, or `unsupported`. Never asks. */
export function notificationAvailability(): NotificationAvailability {
  return notificationsSupported() ? Notification.permission : 'unsupported';
}

let registration: Promise<ServiceWorkerRegistration | null> | null = null;

/** Registers the worker once (it holds no cache: `updateViaCache: 'none'` keeps it fresh) and resolves when it is active. */
export function notificationWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!notificationsSupported()) return Promise.resolve(null);
  registration ??= navigator.serviceWorker
    .register(NOTIFICATION_WORKER_URL, { scope: '/', updateViaCache: 'none' })
    .then(() => navigator.serviceWorker.ready)
    .catch((error: unknown) => {
      console.warn(`[shell] the notification worker did not start: ${String(error)}`);
      registration = null;
      return null;
    });
  return registration;
}

/** Asks for the permission (only ever from a click) and starts the worker when it is given. */
export async function requestNotifications(): Promise<NotificationAvailability> {
  if (!notificationsSupported()) return 'unsupported';
  const answer = await Notification.requestPermission();
  if (answer === 'granted') await notificationWorker();
  return answer;
}

/** Shows and closes notifications through the worker's registration, only while permission is granted. */
export const serviceWorkerSurface: NotificationSurface = {
  show(notification: AlertNotification) {
    if (notificationAvailability() !== 'granted') return;
    void notificationWorker().then((worker) =>
      worker?.showNotification(notification.title, {
        tag: notification.tag,
        body: notification.body,
        icon: '/favicon.ico',
        requireInteraction: notification.requireInteraction,
        renotify: notification.renotify,
        data: notification.target,
      } as NotificationOptions),
    ).catch((error: unknown) => console.warn(`[shell] a notification could not be shown: ${String(error)}`));
  },
  close(tag: string) {
    if (notificationAvailability() !== 'granted') return;
    void notificationWorker()
      .then((worker) => worker?.getNotifications({ tag }))
      .then((shown) => shown?.forEach((notification) => notification.close()))
      .catch(() => {});
  },
};

/** Calls `onClick` with what each clicked notification was about; returns the unsubscribe. */
export function listenToNotificationClicks(onClick: (target: NotificationTarget) => void): () => void {
  if (!notificationsSupported()) return () => {};
  const listener = (event: MessageEvent) => {
    const target = clickedTarget(event.data);
    if (target) onClick(target);
  };
  navigator.serviceWorker.addEventListener('message', listener);
  return () => navigator.serviceWorker.removeEventListener('message', listener);
}

/** The target of a worker's click message; null for anything else. */
export function clickedTarget(data: unknown): NotificationTarget | null {
  if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== CLICK_MESSAGE) return null;
  const target = (data as { target?: unknown }).target as Partial<Record<string, unknown>> | null | undefined;
  if (target?.kind === 'call' && typeof target.callId === 'string') return { kind: 'call', callId: target.callId };
  if (target?.kind === 'conversation' && typeof target.conversationId === 'string') return { kind: 'conversation', conversationId: target.conversationId };
  return null;
}
