/** The notification choice remembered on this device (localStorage: per browser, like the permission itself). */

const SHOW_TEXT_KEY = 'parley.notifications.showText';

/** Whether notifications show the message text (the default) or only "New message". */
export function readShowMessageText(storage: Pick<Storage, 'getItem'>): boolean {
  return storage.getItem(SHOW_TEXT_KEY) !== 'false';
}

/** Remembers the "Show message text" switch. */
export function writeShowMessageText(storage: Pick<Storage, 'setItem'>, show: boolean): void {
  storage.setItem(SHOW_TEXT_KEY, String(show));
}
