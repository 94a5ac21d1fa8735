/* global self */
/*
 * Parley's notification worker. It only shows and handles notifications: no fetch handler, no
 * cache, so every script the page runs still comes from the network, checked by Subresource
 * Integrity as before. The page shows the notifications (registration.showNotification); a click
 * brings the tab forward and tells it what was clicked (the ringing call, or a conversation).
 */
'use strict';

// A new version takes over at once: it holds no state, and an old one cannot miss anything.
self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const done = bringForward(event.notification.data);
  // A click dispatched by a test (untrusted) cannot extend the event; the work runs all the same.
  try {
    event.waitUntil(done);
  } catch {
    // nothing to extend
  }
});

/** Tells the Parley tab what was clicked and focuses it; opens the app when no tab is left. */
async function bringForward(target) {
  const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const tab = tabs.find((client) => client.focused) ?? tabs[0];
  if (!tab) {
    await self.clients.openWindow('/');
    return;
  }
  // Told before focusing: focus may be refused (it needs the click's permission), the tab still acts.
  tab.postMessage({ type: 'parley-notification-click', target });
  try {
    await tab.focus();
  } catch {
    // The tab opens the conversation itself; the browser decided about the focus.
  }
}
