import type { CallMedia } from '@parley/contracts';

/** User-facing text of the Calls view and the missed-call badges, per language (apart from messages.ts, which every part of the chat edits). */
const en = {
  calls: 'Calls',
  /** The Calls button's name: with the count of missed calls not seen yet. */
  callsButton: (missed: number): string => (missed === 0 ? 'Calls' : `Calls, ${missed} missed`),
  noCalls: 'No calls yet. Calls you make or get, on any of your devices, show here.',
  callBack: (media: CallMedia): string => (media === 'video' ? 'Call back (video)' : 'Call back (voice)'),
  callBackShort: 'Call back',
  openChat: (name: string): string => `Open the chat with ${name}`,
  joinLink: 'Join',
  joinLinkNamed: (name: string): string => `Join the call “${name}”`,
  unnamedLink: 'Call link',
  missedCalls: (count: number): string => (count === 1 ? '1 missed call' : `${count} missed calls`),
  groupCall: 'Group call',
  linkCall: 'Call link',
};

export type CallHistoryMessages = typeof en;

const ru: CallHistoryMessages = {
  calls: 'Звонки',
  callsButton: (missed) => (missed === 0 ? 'Звонки' : `Звонки, пропущенных: ${missed}`),
  noCalls: 'Звонков пока нет. Здесь будут звонки со всех ваших устройств.',
  callBack: (media) => (media === 'video' ? 'Перезвонить (видео)' : 'Перезвонить (аудио)'),
  callBackShort: 'Перезвонить',
  openChat: (name) => `Открыть чат: ${name}`,
  joinLink: 'Войти',
  joinLinkNamed: (name) => `Войти в звонок «${name}»`,
  unnamedLink: 'Ссылка на звонок',
  missedCalls: (count) => `Пропущенных звонков: ${count}`,
  groupCall: 'Групповой звонок',
  linkCall: 'Ссылка на звонок',
};

/** The Calls view's text in the chosen language (Russian for `ru*`, English otherwise). */
export function callHistoryMessagesFor(locale: string): CallHistoryMessages {
  return locale.toLowerCase().startsWith('ru') ? ru : en;
}
