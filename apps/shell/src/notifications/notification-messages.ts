/**
 * What the notifications and their Settings section say, per language. Kept beside the feature
 * (not in the shell's messages.ts) so it travels as one piece.
 */
import type { CallMedia } from '@parley/contracts';

const en = {
  incomingCall: (caller: string): string => `${caller} is calling`,
  incomingGroupCall: (caller: string, group: string): string => `${caller} is calling ${group}`,
  callKind: (media: CallMedia): string => (media === 'video' ? 'Video call' : 'Voice call'),
  newMessage: 'New message',
  newMessages: (count: number): string => `${count} new messages`,
  senderSaid: (sender: string, text: string): string => `${sender}: ${text}`,
  // Settings → Notifications
  notifications: 'Notifications',
  notificationsHelp:
    'Parley can tell you about calls and new messages while its tab is in the background. Your browser asks you once; you can change your mind in the browser\'s site settings.',
  enableNotifications: 'Enable notifications',
  notificationsState: {
    on: 'Notifications are on.',
    off: 'Notifications are off.',
    blocked: 'Notifications are blocked by the browser. Allow them in the site settings to turn them on.',
    unsupported: 'This browser cannot show notifications here (they need HTTPS).',
  },
  showMessageText: 'Show message text',
  showMessageTextHelp: 'Off: a notification names who wrote and says only "New message": no text shows on the screen.',
  // The chat list's one-time offer
  notificationsOffer: 'Get told about calls and messages while Parley is in the background.',
  notNow: 'Not now',
};

export type NotificationMessages = typeof en;

const ru: NotificationMessages = {
  incomingCall: (caller) => `${caller} звонит`,
  incomingGroupCall: (caller, group) => `${caller} звонит в «${group}»`,
  callKind: (media) => (media === 'video' ? 'Видеозвонок' : 'Голосовой звонок'),
  newMessage: 'Новое сообщение',
  newMessages: (count) => `${count} ${plural(count, 'новое сообщение', 'новых сообщения', 'новых сообщений')}`,
  senderSaid: (sender, text) => `${sender}: ${text}`,
  notifications: 'Уведомления',
  notificationsHelp:
    'Parley может сообщать о звонках и новых сообщениях, пока его вкладка в фоне. Браузер спросит один раз; передумать можно в настройках сайта в браузере.',
  enableNotifications: 'Включить уведомления',
  notificationsState: {
    on: 'Уведомления включены.',
    off: 'Уведомления выключены.',
    blocked: 'Уведомления запрещены браузером. Разрешите их в настройках сайта, чтобы включить.',
    unsupported: 'Этот браузер не может показывать здесь уведомления (нужен HTTPS).',
  },
  showMessageText: 'Показывать текст сообщений',
  showMessageTextHelp: 'Выключено: уведомление называет автора и говорит только «Новое сообщение» — текст на экране не появится.',
  notificationsOffer: 'Узнавайте о звонках и сообщениях, пока Parley в фоне.',
  notNow: 'Не сейчас',
};

/** Russian plural form for `count` (1 сообщение, 2 сообщения, 5 сообщений). */
function plural(count: number, one: string, few: string, many: string): string {
  const tens = count % 100;
  const units = count % 10;
  if (tens >= 11 && tens <= 14) return many;
  if (units === 1) return one;
  if (units >= 2 && units <= 4) return few;
  return many;
}

/** The notification texts for a BCP 47 locale, English when the language is not translated. */
export function notificationMessagesFor(locale: string): NotificationMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}
